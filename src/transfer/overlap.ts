/**
 * Extraction that follows the download, so that the two overlap, with the archive held in memory
 * instead of a temporary file: the body streams once, in order, into a bounded window of memory
 * (hashed and resumed as transfer/download.ts does), while the central directory — read first,
 * through a tail Range request made alongside — tells the extraction where every entry lies. Each
 * entry is read from the window as soon as the body has passed it; bytes no read still needs are
 * let go, and the body waits while the window is full.
 *
 * The overlap never decides what is extracted, only when: the central directory read early must
 * be the one the body carries (same validator, and the same bytes once the body has them). When it
 * is not — the archive changed mid-way, or the body's end differs — or when the extraction asks
 * for bytes the window has let go (an archive whose entries are not in the order they lie in), the
 * archive is extracted again from a whole copy: the body that started over, kept in a file from
 * then on, or a second download.
 *
 * An archive below FOLLOW_FROM is held whole in memory and extracted once it is complete. One
 * without a size or (past FOLLOW_FROM) without a validator, or whose central directory cannot be
 * read ahead (ranges ignored, a directory that is a large part of its archive), is written to a
 * temporary file and extracted from it afterwards.
 *
 * Why memory: on the mixed corpus (bench/corpora.ts) the temporary file was 632 MiB written to
 * the page cache and read back, a third of the system time of a run (perf record: the copies into
 * the page cache were the largest single cost, ahead of inflate).
 */
import { closeSync, ftruncateSync, openSync } from "node:fs";
import { Readable } from "node:stream";
import { discard, type Staged } from "../archive/extract.ts";
import {
  type ArchiveEnd,
  type ByteSource,
  fromEnd,
  readEnd,
  type SourceHold,
  withFile,
} from "../archive/source.ts";
import type { GitLabClient } from "../gitlab/client.ts";
import { formatBytes } from "../log.ts";
import { registerTemporary } from "../util/cleanup.ts";
import { writeAll } from "../util/files.ts";
import { released } from "../util/memory.ts";
import {
  download,
  type Downloaded,
  type BodySink,
  removeDownload,
  temporaryIn,
} from "./download.ts";
import { RangedSource } from "./ranged.ts";

/** The most bytes of central directory fetched ahead (and held in memory): 100,000 entries' worth. */
const MAX_CENTRAL = 16 * 1024 * 1024;
/** A central directory larger than this share of its archive is not fetched twice. */
const MAX_CENTRAL_SHARE = 1 / 4;
/**
 * Archives smaller than this are held whole, then extracted: the request for the central
 * directory would cost about what overlapping saves.
 */
const FOLLOW_FROM = 8 * 1024 * 1024;
/**
 * The most bytes of a followed body held at once: from the lowest byte a read still needs to the
 * last one received. Larger than any read the extraction makes at once (archive/extract.ts).
 */
const WINDOW = 2 * 1024 * 1024;
/** The body is taken in pieces of at most this size (a socket's chunks are 64 KiB at most). */
const PIECE = 256 * 1024;
/** Bytes a slice of a large entry is read in, once the download has passed them. */
const SLICE = 256 * 1024;

export interface FollowOptions {
  client: GitLabClient;
  url: string;
  /** Folder a temporary file goes in, when one is needed (beside the destination). */
  dir: string;
  what: string;
  progress?: (received: number, total: number | undefined) => void;
  /** Extracts an archive from a source (archive/extract.ts stage, with the run's options). */
  stage: (source: ByteSource) => Promise<Staged>;
  /** Told how extraction went along with the download (followed it, or why not). */
  debug?: (how: string) => void;
}

/** The archive downloaded (no file of it is left) and staged. */
export interface Followed {
  got: Omit<Downloaded, "file">;
  staged: Staged;
}

/** The central directory (and the tail around it) read ahead of the body. */
interface Central extends ArchiveEnd {
  size: number;
}

/** Downloads an archive and stages it, the extraction following the download where it can. */
export async function downloadAndStage(options: FollowOptions): Promise<Followed> {
  const { client, url, what, stage } = options;
  const body = new Body(options.dir);
  const stop = new AbortController();
  const downloading = download({ ...options, sink: body, signal: stop.signal });
  // The download's outcome reaches the reads waiting on it; it is also awaited below.
  downloading.then(
    () => body.finish(),
    (e: unknown) => body.fail(e instanceof Error ? e : new Error(String(e))),
  );
  let staged: Staged | undefined;
  try {
    // Once the body's first answer tells the archive's size and validator, its end is read ahead,
    // If-Range guarded: the central directory read is the body's, or none is.
    const first = await body.first;
    if (first?.mode === "follow") {
      const central = await readCentral(client, url, what, first.validator ?? "");
      if (central && body.follow(central)) {
        try {
          staged = await stage(body);
          // Nothing is read any more: the rest of the body only passes through.
          body.stopReading();
          if (body.firstAt !== undefined)
            options.debug?.(
              `extracted as it arrived: the first entry was read when ${formatBytes(body.firstAt)} of ${formatBytes(body.size)} had arrived`,
            );
        } catch (e) {
          // The download's own failure is what to report, when it failed; an archive that
          // changed, or read out of order, is extracted again below.
          if (body.failure) await downloading;
          if (!body.again) {
            // The body may be waiting for room that no read will make now: it goes on to be
            // stopped, not held.
            body.stopReading();
            stop.abort(e);
            await downloading.catch(() => undefined);
            throw e;
          }
          staged = undefined;
        }
      } else {
        options.debug?.(
          "downloaded first, then extracted: its central directory could not be read ahead",
        );
        body.spill();
      }
    } else if (first?.mode === "file")
      options.debug?.("downloaded first, then extracted: an archive without a size or validator");
    const got = await downloading;
    if (staged && body.again) {
      await discard(staged);
      staged = undefined;
    }
    if (body.again)
      options.debug?.(
        `extracted again from ${body.file && !body.lost ? "the finished download" : "a second download"}: ${body.again}`,
      );
    staged ??= await stageWhole(body, options);
    return { got: { bytes: got.bytes, sha256: got.sha256, resumes: got.resumes }, staged };
  } catch (e) {
    if (staged) await discard(staged);
    throw e;
  } finally {
    await body.close();
  }
}

/**
 * Stages the archive once the body is complete: from memory when it was held whole, from its file
 * when it was written to one, else (the window let bytes go) from a second download.
 */
async function stageWhole(body: Body, options: FollowOptions): Promise<Staged> {
  if (body.mode === "whole" && !body.again) return options.stage(body);
  if (body.file && !body.lost) return withFile(body.file, options.stage);
  const got = await download(options);
  try {
    return await withFile(got.file, options.stage);
  } finally {
    await removeDownload(got.file);
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

/**
 * How the body is kept: `follow` in a bounded window, read as it arrives; `whole` in memory, read
 * once complete (a small archive); `file` in a temporary file, read once complete; `drain` not
 * at all (the extraction that followed it ended or failed, or what it staged cannot stand and a
 * second download will be extracted).
 */
type Mode = "follow" | "whole" | "file" | "drain";

/** What the body's first answer decided. */
interface First {
  mode: Mode;
  validator: string | undefined;
}

/** A read or a stream that still needs the bytes from `at` on. */
interface Hold extends SourceHold {
  at: number;
}

/**
 * The body as it arrives, and the archive as the extraction reads it: the chunks from the lowest
 * byte a read still needs (or the whole body, or a file), and the central directory read ahead.
 */
class Body implements BodySink, ByteSource {
  size = 0;
  mode: Mode = "whole";
  /** How many bytes had arrived when the first entry was read. */
  firstAt: number | undefined;
  /** Why what was staged while following cannot stand: the archive is to be extracted again. */
  again: string | undefined;
  /** The window let go of bytes a read needed: only a second download has them. */
  lost = false;
  failure: Error | undefined;
  /** The temporary file the body is written to, in `file` mode. */
  file: string | undefined;
  readonly first: Promise<First | undefined>;
  #answered: ((first: First | undefined) => void) | undefined;
  #validator: string | undefined;
  #central: Central | undefined;
  #fd: number | undefined;
  /** The bytes held, in memory modes. */
  #ring = new Ring(0);
  /** Reads need nothing below this, except what holds keep (the extraction's progress). */
  #horizon = 0;
  #holds = new Set<Hold>();
  /** The download, waiting until no more than `used` bytes are held. */
  #room: { used: number; wake: () => void } | undefined;
  #done = false;
  #waiting: { until: number; wake: () => void; fail: (e: Error) => void }[] = [];

  constructor(private readonly dir: string) {
    this.first = new Promise((resolve) => (this.#answered = resolve));
  }

  began(offset: number, validator: string | undefined, total: number | undefined): void {
    const answered = this.#answered;
    if (answered) {
      this.#answered = undefined;
      this.#validator = validator;
      this.size = total ?? 0;
      this.mode =
        total === undefined
          ? "file"
          : total < FOLLOW_FROM
            ? "whole"
            : validator === undefined
              ? "file"
              : "follow";
      if (this.mode === "file") this.spill();
      else this.#ring = new Ring(this.mode === "whole" ? (total ?? 0) : WINDOW + PIECE);
      answered({ mode: this.mode, validator });
      return;
    }
    // A resume (206 to If-Range) is the same archive; anything from the first byte may not be.
    if (offset > 0 && (validator === undefined || validator === this.#validator)) return;
    this.#validator = validator;
    this.size = total ?? this.size;
    this.#ring.reset(0);
    if (this.mode === "follow" || this.mode === "drain") {
      // What was read may be another archive: the new body goes to a file, extracted from there.
      this.#stale("the archive changed while it was being extracted");
      this.spill();
    } else if (this.#fd !== undefined) ftruncateSync(this.#fd, 0);
    // Held whole: the archive starting over may be larger now.
    else if (total !== undefined && total < FOLLOW_FROM) this.#ring = new Ring(total);
    else this.spill();
  }

  /** Extraction follows the body, with this central directory; false if the body is gone past it. */
  follow(central: Central): boolean {
    if (this.mode !== "follow" || central.size !== this.size || this.#ring.base > 0) return false;
    this.#central = central;
    // The body may have passed the directory's start already (a small central directory).
    this.#checkEnd(0, this.#ring.copy(0, this.#ring.end));
    return true;
  }

  /** Writes the body to a temporary file from now on, with what is held so far. */
  spill(): void {
    if (this.file) return;
    this.mode = "file";
    this.file = temporaryIn(this.dir);
    registerTemporary(this.file);
    this.#fd = openSync(this.file, "w");
    const ring = this.#ring;
    this.#write(ring.copy(ring.base, ring.end - ring.base), ring.base);
    this.#ring = new Ring(0, ring.end);
    this.#wakeRoom();
  }

  /**
   * Takes a chunk of the body; resolves once there is room for the next, or returns nothing when
   * there is room now. That is the common case while following, taken without a promise: a
   * socket's chunks are 64 KiB, ten thousand of them on the mixed corpus (bench/corpora.ts), and
   * an await each was 0.1-0.3 s of the main thread (alternating runs on a RAM disk).
   */
  push(chunk: Buffer): Promise<void> | undefined {
    if (
      this.mode === "follow" &&
      chunk.length <= PIECE &&
      this.#ring.used + chunk.length <= WINDOW
    ) {
      this.#take(chunk);
      this.#letGo();
      return undefined;
    }
    return this.#pushSlowly(chunk);
  }

  /** Keeps a piece of the body as its mode says (window, file, or nothing), and wakes reads. */
  #take(piece: Buffer): void {
    const start = this.#ring.end;
    if (this.#fd !== undefined) this.#write(piece, start);
    if (this.#fd !== undefined || this.mode === "drain") this.#ring.reset(start + piece.length);
    else this.#ring.append(piece);
    this.#checkEnd(start, piece);
    this.#wake();
  }

  /** push(), when the body may have to wait for room, or is not held in the window. */
  async #pushSlowly(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length; at += PIECE) {
      const piece = chunk.subarray(at, at + PIECE);
      // The mode may change while waiting (a file from now on, or nothing kept): look again.
      while (this.mode === "follow" && this.#ring.used + piece.length > this.#ring.capacity)
        await this.#roomFor(this.#ring.capacity - piece.length);
      this.#take(piece);
    }
    // Bytes below what every read needs go at once (a body ahead of the reads is not held).
    this.#letGo();
    while (this.mode === "follow" && this.#ring.used > WINDOW) await this.#roomFor(WINDOW);
  }

  /** Wakes the download waiting for room (the window let go of bytes, or keeps none now). */
  #wakeRoom(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.wake();
  }

  /** Resolves once no more than `used` bytes are held. */
  #roomFor(used: number): Promise<void> {
    return new Promise((wake) => (this.#room = { used, wake }));
  }

  /** Writes a chunk that starts at `position` of the body to the file. */
  #write(chunk: Buffer, position: number): void {
    writeAll(this.#fd as number, chunk, position);
  }

  /** The body's bytes over the central directory read ahead must be those bytes. */
  #checkEnd(at: number, chunk: Buffer): void {
    const central = this.#central;
    if (!central || this.again) return;
    const end = at + chunk.length;
    if (end <= central.start) return;
    const from = Math.max(at, central.start);
    const body = chunk.subarray(from - at);
    const ahead = central.data.subarray(from - central.start, end - central.start);
    if (!body.equals(ahead))
      this.#stale("the archive's end differs from the central directory read ahead");
  }

  /**
   * What was staged while following cannot stand. The body is then only drained (hashed by the
   * download, and kept by nothing), unless it goes to a file from here on (spill).
   */
  #stale(why: string): void {
    this.again ??= why;
    this.#fail(new Error(why));
    this.stopReading();
  }

  /**
   * Nothing reads the followed body any more (the extraction ended, or failed): from here it is
   * only drained, still checked against the central directory read ahead, and a download waiting
   * for room goes on.
   */
  stopReading(): void {
    if (this.mode !== "follow") return;
    this.mode = "drain";
    this.#ring = new Ring(0, this.#ring.end);
    this.#wakeRoom();
  }

  #wake(): void {
    const landed = this.#ring.end;
    this.#waiting = this.#waiting.filter((w) => {
      if (w.until > landed) return true;
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

  /** Resolves once the body has passed `end`. */
  #until(end: number): Promise<void> {
    if (this.again) return Promise.reject(new Error(this.again));
    if (this.failure) return Promise.reject(this.failure);
    if (this.#ring.end >= end) return Promise.resolve();
    if (this.#done) return Promise.reject(new Error("unexpected end of the archive"));
    return new Promise((wake, fail) => this.#waiting.push({ until: end, wake, fail }));
  }

  // The archive, as archive/extract.ts reads it.

  async read(position: number, length: number): Promise<Buffer> {
    const held = this.#central && fromEnd(this.#central, position, length);
    if (held) return held;
    const hold = this.hold(position);
    try {
      await this.#until(position + length);
      this.firstAt ??= this.#ring.end;
      // Held since before the wait: the window still has the bytes.
      return this.#ring.copy(position, length);
    } finally {
      hold.release();
    }
  }

  stream(start: number, end: number): Readable {
    // Held from now, not from the first read: the window must keep `start` until then.
    const hold = this.hold(start);
    let at = start;
    const out: Readable = new Readable({
      read: () => {
        if (at >= end) {
          hold.release();
          out.push(null);
          return;
        }
        const length = Math.min(SLICE, end - at);
        this.read(at, length).then(
          (bytes) => {
            at += length;
            hold.move(at);
            out.push(bytes);
          },
          (e: Error) => out.destroy(e),
        );
      },
      destroy: (e, done) => {
        hold.release();
        done(e);
      },
    });
    return out;
  }

  async pieces(start: number, end: number, take: (piece: Buffer) => Promise<void>): Promise<void> {
    // Held from the start: each piece is a view of the window, which must keep it until taken.
    const hold = this.hold(start);
    try {
      for (let at = start; at < end;) {
        const length = Math.min(SLICE, end - at);
        await this.#until(at + length);
        this.firstAt ??= this.#ring.end;
        for (const view of this.#ring.views(at, length)) await take(view);
        at += length;
        hold.move(at);
      }
    } finally {
      hold.release();
    }
  }

  /** Keeps the bytes from `at` on until released. */
  hold(at: number): Hold {
    if (this.mode === "follow" && at < this.#ring.base) this.#lose(at);
    const hold: Hold = {
      at,
      move: (to) => {
        hold.at = to;
        this.#letGo();
      },
      release: () => {
        if (this.#holds.delete(hold)) this.#letGo();
      },
    };
    this.#holds.add(hold);
    return hold;
  }

  /** Reads need nothing below `position` from now on, apart from what holds keep. */
  advance(position: number): void {
    if (position <= this.#horizon) return;
    this.#horizon = position;
    this.#letGo();
  }

  #lose(at: number): never {
    this.lost = true;
    this.#stale("the extraction read the archive out of order");
    throw new Error(`byte ${at} of the archive was read out of order`);
  }

  /** Lets go of the bytes below every hold and the horizon, and makes room for the body. */
  #letGo(): void {
    if (this.mode !== "follow") return;
    let floor = this.#horizon;
    for (const h of this.#holds) floor = Math.min(floor, h.at);
    this.#ring.drop(floor);
    if (this.#room && this.#ring.used <= this.#room.used) this.#wakeRoom();
  }

  async close(): Promise<void> {
    // A download still running would only drain from here, not wait for room (every path awaits
    // the download before it closes the body today; this keeps it so if one does not).
    this.stopReading();
    this.#ring = new Ring(0, this.#ring.end);
    this.#wakeRoom();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    if (this.file) await removeDownload(this.file);
  }
}

/**
 * The bytes [base, end) of a stream, in one buffer used round and round: the body's chunks are
 * copied in, reads copied out. Holding the chunks themselves kept far more alive than their bytes
 * (a socket's chunk is a view of a larger buffer; measured on the mixed corpus, 8 MiB of chunks
 * held kept 70 MiB of buffers), and every copy out dies young.
 */
class Ring {
  base: number;
  end: number;
  readonly #buffer: Buffer;

  constructor(
    readonly capacity: number,
    at = 0,
  ) {
    this.#buffer = Buffer.allocUnsafeSlow(capacity);
    this.base = this.end = at;
  }

  get used(): number {
    return this.end - this.base;
  }

  /** Appends bytes; the caller made room for them. */
  append(bytes: Buffer): void {
    if (this.used + bytes.length > this.capacity) throw new Error("no room in the window");
    let done = 0;
    while (done < bytes.length) {
      const at = (this.end + done) % this.capacity;
      done += bytes.copy(
        this.#buffer,
        at,
        done,
        done + Math.min(bytes.length - done, this.capacity - at),
      );
    }
    this.end += bytes.length;
  }

  /** A copy of the bytes [position, position + length), which lie in [base, end). */
  copy(position: number, length: number): Buffer {
    if (position < this.base || position + length > this.end)
      throw new Error(`bytes ${position}-${position + length} are not held`);
    const bytes = Buffer.allocUnsafe(length);
    // Read once and dropped (util/memory.ts).
    released(length);
    let done = 0;
    while (done < length) {
      const at = (position + done) % this.capacity;
      done += this.#buffer.copy(bytes, done, at, at + Math.min(length - done, this.capacity - at));
    }
    return bytes;
  }

  /**
   * The bytes [position, position + length), which lie in [base, end), as views of the buffer:
   * one, or two where they wrap around. They change once the bytes are let go and others come.
   */
  views(position: number, length: number): Buffer[] {
    if (position < this.base || position + length > this.end)
      throw new Error(`bytes ${position}-${position + length} are not held`);
    const at = position % this.capacity;
    const first = Math.min(length, this.capacity - at);
    const head = this.#buffer.subarray(at, at + first);
    return first === length ? [head] : [head, this.#buffer.subarray(0, length - first)];
  }

  /** Lets go of the bytes below `position`. */
  drop(position: number): void {
    this.base = Math.max(this.base, Math.min(position, this.end));
  }

  /** Holds nothing, and the next byte is `at`. */
  reset(at: number): void {
    this.base = this.end = at;
  }
}
