/**
 * Extraction that follows the download, so that the two overlap: the archive streams once, in
 * order, to its temporary file (hashed and resumed as transfer/download.ts does), while the
 * central directory — read first, through a tail Range request made alongside — tells the
 * extraction where every entry lies. Each entry is read from the file as soon as the bytes
 * written so far (the watermark) pass its end, several at once as archive/extract.ts schedules
 * them.
 *
 * The overlap never decides what is extracted, only when: the central directory read early must
 * be the one the body carries (same validator, and the same bytes once the body has them), and an
 * archive that starts over or changes validator mid-way makes the run extract again from the
 * finished file. A server that ignores ranges, sends no validator, or an archive whose central
 * directory is a large part of it, is downloaded first and extracted afterwards.
 */
import { open, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { discard, type Staged } from "../archive/extract.ts";
import {
  type ArchiveEnd,
  type ByteSource,
  fromEnd,
  readAt,
  readEnd,
  withFile,
} from "../archive/source.ts";
import type { GitLabClient } from "../gitlab/client.ts";
import { formatBytes } from "../log.ts";
import {
  download,
  type Downloaded,
  type DownloadWatch,
  removeDownload,
  temporaryIn,
} from "./download.ts";
import { RangedSource } from "./ranged.ts";

/** The most bytes of central directory fetched ahead (and held in memory): 100,000 entries' worth. */
const MAX_CENTRAL = 16 * 1024 * 1024;
/** A central directory larger than this share of its archive is not fetched twice. */
const MAX_CENTRAL_SHARE = 1 / 4;
/**
 * Archives smaller than this are downloaded, then extracted: the request for the central
 * directory would cost about what overlapping saves.
 */
const FOLLOW_FROM = 8 * 1024 * 1024;
/** Bytes a slice of a large entry is read in, once the download has passed them. */
const SLICE = 256 * 1024;

export interface FollowOptions {
  client: GitLabClient;
  url: string;
  /** Folder the temporary file goes in (beside the destination). */
  dir: string;
  what: string;
  progress?: (received: number, total: number | undefined) => void;
  /** Extracts an archive from a source (archive/extract.ts stage, with the run's options). */
  stage: (source: ByteSource) => Promise<Staged>;
  /** Told how extraction went along with the download (followed it, or why not). */
  debug?: (how: string) => void;
}

/** The archive downloaded (and kept as a temporary file) and staged. */
export interface Followed {
  got: Downloaded;
  staged: Staged;
}

/** The central directory (and the tail around it) read ahead of the body. */
interface Central extends ArchiveEnd {
  size: number;
}

/** Downloads an archive and stages it, the extraction following the download where it can. */
export async function downloadAndStage(options: FollowOptions): Promise<Followed> {
  const { client, url, what, stage } = options;
  const mark = new Watermark();
  const stop = new AbortController();
  const file = temporaryIn(options.dir);
  const downloading = download({
    client,
    url,
    dir: options.dir,
    what,
    progress: options.progress,
    file,
    watch: mark,
    signal: stop.signal,
  });
  // The download's outcome reaches the reads waiting on it; it is also awaited below.
  downloading.then(
    () => mark.finish(),
    (e: unknown) => mark.fail(e instanceof Error ? e : new Error(String(e))),
  );
  // Once the body's first answer tells the archive's size and validator, its end is read ahead,
  // If-Range guarded: the central directory read is the body's, or none is.
  const first = await mark.first;
  const validator = first?.validator;
  const worth = validator !== undefined && (first?.total ?? 0) >= FOLLOW_FROM;
  const central = worth ? await readCentral(client, url, what, validator) : undefined;
  let staged: Staged | undefined;
  if (!central)
    options.debug?.(
      worth
        ? "downloaded first, then extracted: its central directory could not be read ahead"
        : "downloaded first, then extracted: a small archive, or one without a validator",
    );
  else {
    const source = new FollowingSource(file, mark, central);
    try {
      staged = await stage(source);
      if (source.firstAt !== undefined)
        options.debug?.(
          `extracted as it arrived: the first entry was read when ${formatBytes(source.firstAt)} of ${formatBytes(source.size)} had arrived`,
        );
    } catch (e) {
      // The download's own failure is what to report, when it failed; an archive that changed
      // is extracted again below, from the finished file.
      if (mark.failure) await downloading;
      if (!mark.changed) {
        stop.abort(e);
        const left = await downloading.catch(() => undefined);
        if (left) await removeDownload(left.file);
        throw e;
      }
    } finally {
      await source.close();
    }
  }
  let got: Downloaded;
  try {
    got = await downloading;
  } catch (e) {
    if (staged) await discard(staged);
    throw e;
  }
  try {
    if (central && (mark.changed || !(await sameEnd(got.file, central)))) {
      options.debug?.("extracted again from the finished download: the archive changed meanwhile");
      if (staged) await discard(staged);
      staged = undefined;
    }
    staged ??= await withFile(got.file, stage);
    return { got, staged };
  } catch (e) {
    if (staged) await discard(staged);
    await removeDownload(got.file);
    throw e;
  }
}

/**
 * The central directory through HTTP ranges, alongside the body: the tail, and one more request
 * when the directory starts before it. Undefined where that cannot be done or is not worth it.
 */
async function readCentral(
  client: GitLabClient,
  url: string,
  what: string,
  validator: string,
): Promise<Central | undefined> {
  let remote: RangedSource;
  try {
    remote = await RangedSource.open(client, url, what, validator);
  } catch {
    // Ranges ignored, or the archive refused: the download says what the matter is.
    return undefined;
  }
  try {
    const { size } = remote;
    const end = await readEnd(remote, Math.min(MAX_CENTRAL, size * MAX_CENTRAL_SHARE));
    return end.central ? { ...end, size } : undefined;
  } catch {
    return undefined;
  } finally {
    await remote.close();
  }
}

/** Whether the finished file ends with the central directory that was read ahead. */
async function sameEnd(file: string, central: Central): Promise<boolean> {
  return withFile(file, async (source) => {
    if (source.size !== central.size) return false;
    const there = await source.read(central.start, central.size - central.start);
    return there.equals(central.data);
  });
}

/** What the body's first answer says of the archive. */
interface First {
  validator: string | undefined;
  total: number | undefined;
}

/** Where the download stands, for the reads waiting on it. */
class Watermark implements DownloadWatch {
  /** Bytes of the body in the file. */
  landed = 0;
  /** The body started over, or came with another validator: what was read may be another archive. */
  changed = false;
  failure: Error | undefined;
  /** The first answer, or undefined when the download ended without one. */
  readonly first: Promise<First | undefined>;
  #answered: ((first: First | undefined) => void) | undefined;
  #validator: string | undefined;
  #done = false;
  #waiting: { until: number; wake: () => void; fail: (e: Error) => void }[] = [];

  constructor() {
    this.first = new Promise((resolve) => (this.#answered = resolve));
  }

  began(offset: number, validator: string | undefined, total: number | undefined): void {
    const answered = this.#answered;
    if (answered) {
      this.#answered = undefined;
      this.#validator = validator;
      answered({ validator, total });
      return;
    }
    // A resume (206 to If-Range) is the same archive; anything from the first byte may not be.
    if (offset > 0 && (validator === undefined || validator === this.#validator)) return;
    this.changed = true;
    this.#fail(new Error("the archive changed while it was being extracted"));
  }

  written(bytes: number): void {
    this.landed = bytes;
    this.#waiting = this.#waiting.filter((w) => {
      if (w.until > bytes) return true;
      w.wake();
      return false;
    });
  }

  finish(): void {
    this.#done = true;
    this.#answered?.(undefined);
    // Whatever still waits asks for bytes the archive does not have.
    this.#fail(new Error("unexpected end of the archive"));
  }

  fail(e: Error): void {
    this.failure ??= e;
    this.#answered?.(undefined);
    this.#fail(e);
  }

  #fail(e: Error): void {
    for (const w of this.#waiting) w.fail(e);
    this.#waiting = [];
  }

  /** Resolves once the file holds `end` bytes of the body. */
  until(end: number): Promise<void> {
    if (this.changed)
      return Promise.reject(new Error("the archive changed while it was being extracted"));
    if (this.failure) return Promise.reject(this.failure);
    if (this.landed >= end) return Promise.resolve();
    if (this.#done) return Promise.reject(new Error("unexpected end of the archive"));
    return new Promise((wake, fail) => this.#waiting.push({ until: end, wake, fail }));
  }
}

/** The archive as it is being downloaded: the file up to the watermark, the central directory ahead. */
class FollowingSource implements ByteSource {
  readonly size: number;
  /** How many bytes had arrived when the first entry was read. */
  firstAt: number | undefined;
  #handle: Promise<FileHandle> | undefined;

  constructor(
    private readonly file: string,
    private readonly mark: Watermark,
    private readonly central: Central,
  ) {
    this.size = central.size;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const held = fromEnd(this.central, position, length);
    if (held) return held;
    await this.mark.until(position + length);
    this.firstAt ??= this.mark.landed;
    return readAt((await this.#open()).fd, position, length);
  }

  stream(start: number, end: number): Readable {
    const read = (at: number, length: number) => this.read(at, length);
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; at += SLICE) yield read(at, Math.min(SLICE, end - at));
      })(),
      { objectMode: false },
    );
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= open(this.file, "r");
    return this.#handle;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle) await (await handle).close();
  }
}
