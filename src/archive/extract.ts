/**
 * Safe extraction of an artifacts archive (yauzl). The whole archive is first extracted into a
 * staging folder inside the destination; only when every entry passed every check are the files
 * moved into place, one rename each. A refused or broken archive leaves the destination as it was.
 *
 * Checks, each with its reason:
 * - names: no absolute paths or `..` (yauzl's own validation, which we keep on), one spelling
 *   per path (`./a//b` is `a/b`) — an entry must not land outside the destination;
 * - symlinks: the target must stay inside the destination, walked segment by segment and never
 *   through another symlink of the archive, and no later entry may be written through a symlink
 *   from the archive — all classic ways out of the destination;
 * - duplicates and clashes: an archive naming a file twice, or one name as a file and a folder,
 *   is refused, not silently resolved;
 * - layout (layout.ts): each local header agrees with its central record, and no two entries
 *   share bytes — the overlap zip bomb;
 * - limits: entry count, total extracted bytes, and the compression ratio of large entries —
 *   zip bombs;
 * - integrity: sizes (yauzl) and CRC-32 (ours: yauzl does not check it) of every file.
 * Unix file modes are kept (executable bits), with owner read/write always set.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import {
  lstat,
  mkdir,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  symlink,
  writeFile,
} from "node:fs/promises";
import { dirname, join, posix, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { crc32, createInflateRaw } from "node:zlib";
import type yauzl from "yauzl";
import { RunError, setting } from "../errors.ts";
import { registerTemporary, unregisterTemporary } from "../util/cleanup.ts";
import { mapLimit } from "../util/concurrency.ts";
import { PooledFile } from "../util/files.ts";
import { released } from "../util/memory.ts";
import { checkedContent, content, Corrupt, type Declared } from "./content.ts";
import { Layout, type LocalHeader, parseLocalHeader } from "./layout.ts";
import type { ExtractLimits } from "./limits.ts";
import { type ByteSource, eachPiece, openZip, type SourceHold } from "./source.ts";
import { giveBack, handles, type Inflater, takeInflater } from "./inflate.ts";
import { EntryWriter } from "./writer.ts";

export interface Staged {
  /** The staging folder, inside the destination. */
  dir: string;
  /** Relative POSIX paths of the files and symlinks, in archive order. */
  files: string[];
  /** Folders the archive lists (so empty ones are kept too). */
  dirs: string[];
  /** Uncompressed bytes written. */
  bytes: number;
}

/** An archive that breaks a rule: nothing of it is kept. */
export class UnsafeArchive extends RunError {
  override name = "UnsafeArchive";
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const RATIO_FLOOR = 1024 * 1024;
const MAX_LINK_TARGET = 4096;
/**
 * Files up to this size are written with blocking calls on the main thread: for them the
 * threadpool's hand-offs (a round trip each for open, write and close) cost more than the
 * writes (strace -c -f on 100,000 tiny files: 3.6 million futex calls, 36 a file).
 */
const TINY_FILE = 16 * 1024;
/** Entries up to this size are read whole and written at once. */
const SMALL_FILE = 256 * 1024;
/**
 * Whether an entry is read whole: small both inflated and as stored — a record may declare a few
 * bytes of content over a huge compressed size, which must stream, not be read into memory.
 */
const isSmall = (entry: yauzl.Entry) =>
  entry.uncompressedSize <= SMALL_FILE && entry.compressedSize <= SMALL_FILE;
/** What a streaming entry holds at once, at most: a piece of the archive and a buffer of the pool. */
const STREAMING_BYTES = 1024 * 1024;

/**
 * The archive's entries one at a time, each read when asked for (`undefined` at the end). The
 * listeners stay on for the whole walk: adding and removing three per entry, and an async
 * generator's promises, were 5% of the main thread on 100,000 entries (node --cpu-prof).
 */
function entries(zip: yauzl.ZipFile): () => Promise<yauzl.Entry | undefined> {
  let waiting:
    { resolve: (e: yauzl.Entry | undefined) => void; reject: (e: Error) => void } | undefined;
  let failed: Error | undefined;
  let ended = false;
  const settle = (then: (w: NonNullable<typeof waiting>) => void) => {
    const w = waiting;
    waiting = undefined;
    if (w) then(w);
  };
  zip.on("entry", (e: yauzl.Entry) => settle((w) => w.resolve(e)));
  zip.on("end", () => {
    ended = true;
    settle((w) => w.resolve(undefined));
  });
  zip.on("error", (e: Error) => {
    failed ??= e;
    settle((w) => w.reject(e));
  });
  return () =>
    new Promise((resolve, reject) => {
      if (failed) return reject(failed);
      if (ended) return resolve(undefined);
      waiting = { resolve, reject };
      zip.readEntry();
    });
}

/** An entry of an archive as a listing shows it. */
export interface Listed {
  path: string;
  type: "file" | "directory" | "symlink";
  /** Uncompressed size. */
  size: number;
  /** Unix permission bits, as octal text (`755`), when the archive records them. */
  mode?: string;
  /** A symlink's target. */
  target?: string;
}

/**
 * The entries of an archive (only those `wanted` accepts), from its central directory; a
 * symlink's target is read from its data (small, and only for symlinks).
 */
export async function listEntries(
  source: ByteSource,
  wanted?: (name: string) => boolean,
): Promise<Listed[]> {
  const zip = await openZip(source);
  const listed: Listed[] = [];
  try {
    const next = entries(zip);
    for (let entry = await next(); entry; entry = await next()) {
      const mode = modeOf(entry);
      const isDir = entry.fileName.endsWith("/") || (mode & S_IFMT) === S_IFDIR;
      const isLink = (mode & S_IFMT) === S_IFLNK;
      const path = isDir ? entry.fileName : canonical(entry.fileName);
      if (wanted && (isDir || !wanted(path))) continue;
      const item: Listed = {
        path,
        type: isDir ? "directory" : isLink ? "symlink" : "file",
        size: entry.uncompressedSize,
        ...(mode & 0o777 ? { mode: (mode & 0o777).toString(8) } : {}),
      };
      if (isLink && entry.uncompressedSize <= MAX_LINK_TARGET) {
        const { data } = await readLocal(source, entry, true);
        item.target = (await content(declared(entry), data ?? Buffer.alloc(0))).toString("utf8");
      }
      listed.push(item);
    }
  } finally {
    zip.close();
  }
  return listed;
}

/**
 * Creates folders (with their parents), each once however often it is asked for. With blocking
 * calls: a folder is one system call, and the threadpool's round trip cost more than the call
 * itself (node --cpu-prof on 100,000 files in 11,601 folders: mkdir 10% of the main thread;
 * the corpus took 4.3-5.3 s on /dev/shm after the change, 5.7-6.9 s before).
 */
function folderMaker(writer?: EntryWriter): (path: string) => void {
  const made = new Set<string>();
  return (path) => {
    if (made.has(path)) return;
    if (writer) writer.folder(path);
    else mkdirSync(path, { recursive: true });
    made.add(path);
  };
}

/**
 * When writer threads (writer.ts) write an archive's small entries: from this many entries, and
 * when they are small on average (compressed). Below, starting the threads (25 ms, and 10 MiB
 * each) costs more than it saves; an archive of large entries streams them on this thread anyway.
 * Tests lower both.
 */
export const extraction = { writerFrom: 2048, writerAverage: 64 * 1024 };

/** Where and how an archive is staged. */
export interface StageOptions {
  limits: ExtractLimits;
  /** Names the archive in messages: `build (job 1001)`. */
  label: string;
  /** Only the entries it accepts are extracted (and nothing else is read). */
  wanted?: (name: string) => boolean;
  /** Checked between entries: a stopped run stops extracting. */
  signal?: AbortSignal;
}

/** What an entry's central record declares of its content. */
const declared = (entry: yauzl.Entry): Declared => ({
  method: entry.compressionMethod,
  size: entry.uncompressedSize,
  crc: entry.crc32,
});

function modeOf(entry: yauzl.Entry): number {
  const unix = entry.versionMadeBy >> 8 === 3;
  return unix ? entry.externalFileAttributes >>> 16 : 0;
}

/**
 * Entries extracted at once, and the most bytes they may hold in memory together: a small entry
 * holds its whole content, a large one streams through about two write buffers. Large entries
 * are also bounded by count: a few keep zlib busy on every core without thrashing the disk.
 */
const PARALLEL_ENTRIES = 32;
const PARALLEL_BYTES = 32 * 1024 * 1024;
const PARALLEL_LARGE = 4;

/**
 * The local header of an entry and, for a small entry, its raw data too: one read of the header,
 * name, extra field and data (the central record's lengths are the guess; a header that says
 * otherwise costs one more read).
 */
async function readLocal(
  source: ByteSource,
  entry: yauzl.Entry,
  withData: boolean,
): Promise<{ header: LocalHeader; data?: Buffer }> {
  const at = entry.relativeOffsetOfLocalHeader;
  const room = source.size - at;
  if (room < 30) throw new Error(`local header out of bounds at byte ${at}`);
  const guess = 30 + entry.fileNameLength + entry.extraFieldLength;
  let bytes = await source.read(at, Math.min(room, guess + (withData ? entry.compressedSize : 0)));
  let parsed = parseLocalHeader(bytes, at);
  if ("needed" in parsed) {
    bytes = await source.read(at, Math.min(room, parsed.needed));
    parsed = parseLocalHeader(bytes, at);
    if ("needed" in parsed) throw new Error(`local header out of bounds at byte ${at}`);
  }
  const { header } = parsed;
  const end = header.fileDataStart + entry.compressedSize;
  if (end > source.size)
    throw new Error(`file data overflows file bounds: ${end} > ${source.size}`);
  if (!withData) return { header };
  const start = header.fileDataStart - at;
  const data =
    bytes.length >= start + entry.compressedSize
      ? bytes.subarray(start, start + entry.compressedSize)
      : await source.read(header.fileDataStart, entry.compressedSize);
  return { header, data };
}

/**
 * Bytes zlib hands back at a time for a large entry, where it streams (inflate.ts unusable): each
 * costs a threadpool round trip and a callback. Measured on the mixed corpus (bench/corpora.ts,
 * alternating runs): 128 KiB was 0.2-0.5 s faster than 64 KiB and 256 KiB about as fast again.
 */
const INFLATE_CHUNK = 128 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Checks a large entry's content as it comes: its size as each chunk passes, and at the end its
 * size and CRC-32 against its central record.
 */
function contentCheck(entry: yauzl.Entry) {
  const size = entry.uncompressedSize;
  let seen = 0;
  let crc = 0;
  return {
    chunk(bytes: Buffer): void {
      seen += bytes.length;
      if (seen > size) throw new Error("too many bytes in the stream");
      crc = crc32(bytes, crc);
    },
    end(): void {
      if (seen < size) throw new Error("not enough bytes in the stream");
      if (crc !== entry.crc32) throw new Corrupt();
    },
  };
}

/**
 * Writes a large entry's data to a new file as its bytes come: inflated when deflated, checked
 * (contentCheck). Deflated data is inflated with blocking calls straight into the buffer the file
 * is written from (inflate.ts); where zlib's handle is not usable, through a zlib stream.
 */
async function writeLarge(
  archive: ByteSource,
  entry: yauzl.Entry,
  start: number,
  target: string,
  mode: number,
  hold: SourceHold | undefined,
): Promise<void> {
  const file = await PooledFile.create(target, mode);
  const check = contentCheck(entry);
  const end = start + entry.compressedSize;
  const deflated = entry.compressionMethod === 8;
  const z = deflated && handles() ? takeInflater() : undefined;
  try {
    /** Inflates into the file's buffer until the input is used and zlib has nothing more. */
    const inflate = async (z: Inflater, input: Buffer, finish: boolean) => {
      let at = 0;
      do {
        const space = file.space();
        const room = space instanceof Promise ? await space : space;
        const n = z.step(input, at, room, finish);
        at += z.consumed;
        check.chunk(room.subarray(0, n));
        file.filled(n);
      } while (z.more);
    };
    const copy = async (bytes: Buffer) => {
      check.chunk(bytes);
      const written = file.write(bytes);
      if (written) await written;
    };
    let given: Promise<void>;
    if (z) given = eachPiece(archive, start, end, (piece) => inflate(z, piece, false));
    else if (!deflated) given = eachPiece(archive, start, end, copy);
    else {
      // The pipeline reports its own abort, not what stopped it: the check's failure is kept.
      let stopped: unknown;
      given = pipeline(
        archive.stream(start, end),
        createInflateRaw({ chunkSize: INFLATE_CHUNK }),
        async (inflated: AsyncIterable<Buffer>) => {
          for await (const chunk of inflated) {
            await copy(chunk).catch((e: unknown) => {
              throw (stopped = e);
            });
            released(chunk.length);
          }
        },
      ).catch((e: unknown) => {
        throw stopped ?? e;
      });
    }
    // What is still needed is held by the pieces (or the stream) from here.
    hold?.release();
    await given;
    if (z) await inflate(z, EMPTY, true);
    check.end();
    await file.end();
  } catch (e) {
    await file.destroy();
    throw e;
  } finally {
    if (z) giveBack(z);
  }
}

/**
 * Extracts an archive — a local file, or a remote archive read through HTTP ranges — into a new
 * staging folder: beside `dest` (so that a new or empty destination is committed with one
 * rename), or inside it when its parent cannot be written. Entries are checked in archive order;
 * their data is read, inflated and written several at once, bounded by count and bytes in flight.
 */
export async function stage(
  archive: ByteSource,
  dest: string,
  options: StageOptions,
): Promise<Staged> {
  const { limits, label, wanted, signal } = options;
  const dir = await openStaging(dest);
  let zip: yauzl.ZipFile | undefined;
  let writer: EntryWriter | undefined;
  const inFlight = new Set<Promise<void>>();
  try {
    try {
      zip = await openZip(archive);
    } catch (e) {
      throw new UnsafeArchive(
        `the artifacts of ${label} are not a readable zip archive: ${(e as Error).message}`,
      );
    }
    if (zip.entryCount > limits.maxEntries)
      throw new UnsafeArchive(
        `the artifacts of ${label} hold ${zip.entryCount} entries, more than max-files (${limits.maxEntries})`,
        `raise ${setting("max-files")} if the archive is trusted`,
      );
    const files: string[] = [];
    const dirs: string[] = [];
    /** What each path is, files and the folders they imply: one name cannot be both. */
    const kinds = new Map<string, "file" | "folder">();
    const links = new Set<string>();
    const layout = new Layout();
    let bytes = 0;
    let bytesInFlight = 0;
    let largeInFlight = 0;
    /** Wakes the walk when it waits for room among the writes in flight (one waits at most). */
    let wakeTake: (() => void) | undefined;
    let failure: unknown;
    const refuse = (name: string, why: string, hint?: string): never => {
      throw new UnsafeArchive(
        `the artifacts of ${label} are refused: entry ${JSON.stringify(name)} ${why}`,
        hint,
      );
    };
    /** The entry's failure as the user should read it: which entry, and what. */
    const blame = (name: string, e: unknown): unknown =>
      e instanceof UnsafeArchive || signal?.aborted
        ? e
        : new UnsafeArchive(
            `the artifacts of ${label} are refused: entry ${JSON.stringify(name)}${e instanceof Corrupt ? " " : ": "}${(e as Error).message}`,
          );
    // Many small entries: their folders, content and files go to threads of their own.
    writer =
      zip.entryCount >= extraction.writerFrom &&
      archive.size / zip.entryCount <= extraction.writerAverage
        ? new EntryWriter(({ name, error }) => void (failure ??= blame(name, error)))
        : undefined;
    /** Each folder of the staging tree is created once. */
    const folder = folderMaker(writer);

    /**
     * Reads, checks and writes a file's data (runs alongside other entries). `hold` keeps the
     * entry's bytes in a source that lets bytes go, until its data is read or streaming.
     */
    const write = async (
      entry: yauzl.Entry,
      name: string,
      target: string,
      hold: SourceHold | undefined,
    ): Promise<void> => {
      const perms = (modeOf(entry) & 0o777 || 0o644) | 0o600;
      try {
        const { header, data } = await readLocal(archive, entry, isSmall(entry));
        const misplaced = layout.check(entry, header);
        if (misplaced) refuse(name, misplaced);
        folder(dirname(target));
        if (data) {
          hold?.release();
          // Small files in one piece: a buffer and one write, none of a stream pipeline's objects.
          if (writer) return await writer.file(name, target, declared(entry), data, perms);
          const bytes = await checkedContent(declared(entry), data);
          const options = { mode: perms, flag: "wx" };
          if (bytes.length <= TINY_FILE) writeFileSync(target, bytes, options);
          else await writeFile(target, bytes, options);
          return;
        }
        // A writer thread may not have reached the folder yet.
        if (writer) mkdirSync(dirname(target), { recursive: true });
        await writeLarge(archive, entry, header.fileDataStart, target, perms, hold);
      } finally {
        hold?.release();
      }
    };

    /** Checks an entry's central record in archive order, then writes it or schedules its write. */
    const take = async (entry: yauzl.Entry, name: string): Promise<void> => {
      const isDir = entry.fileName.endsWith("/") || (modeOf(entry) & S_IFMT) === S_IFDIR;
      if (name === "" || (wanted && (isDir || !wanted(name)))) return;
      if (name === ".." || name.startsWith("../")) refuse(name, "points outside the destination");
      // A folder already known was checked with all its parents when it was first seen (and
      // a known folder is never a file or a symlink): the walk up stops there.
      for (let p = posix.dirname(name); p !== "."; p = posix.dirname(p)) {
        const kind = kinds.get(p);
        if (kind === "folder") break;
        if (links.has(p)) refuse(name, `would be written through the symlink ${JSON.stringify(p)}`);
        if (kind === "file")
          refuse(name, `lies under ${JSON.stringify(p)}, which the archive also has as a file`);
      }
      const was = kinds.get(name);
      if (isDir) {
        if (was === "file") refuse(name, "is a folder, and the archive also has it as a file");
      } else if (was === "file") refuse(name, "appears twice");
      else if (was === "folder") refuse(name, "is a file, and the archive also has it as a folder");
      kinds.set(name, isDir ? "folder" : "file");
      for (
        let p = posix.dirname(name);
        p !== "." && kinds.get(p) !== "folder";
        p = posix.dirname(p)
      )
        kinds.set(p, "folder");
      const target = sep === "/" ? `${dir}/${name}` : join(dir, ...name.split("/"));
      if (isDir) {
        folder(target);
        dirs.push(name);
        return;
      }
      if (entry.isEncrypted()) refuse(name, "is encrypted, which is not supported");
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
        refuse(
          name,
          `uses compression method ${entry.compressionMethod}; only stored and deflated are supported`,
        );
      if ((modeOf(entry) & S_IFMT) === S_IFLNK) {
        // Symlinks in order: later entries are checked against them.
        if (entry.uncompressedSize > MAX_LINK_TARGET)
          refuse(name, "is a symlink with an oversized target");
        const { header, data } = await readLocal(archive, entry, true);
        const misplaced = layout.check(entry, header);
        if (misplaced) refuse(name, misplaced);
        const text = await checkedContent(declared(entry), data ?? Buffer.alloc(0));
        const link = text.toString("utf8");
        const why = linkEscapes(name, link, links);
        if (why) refuse(name, `is a symlink ${why} (${JSON.stringify(link)})`);
        folder(dirname(target));
        if (writer) await writer.link(name, target, text);
        else await symlink(link, target);
        links.add(name);
        files.push(name);
        return;
      }
      bytes += entry.uncompressedSize;
      if (bytes > limits.maxBytes)
        refuse(
          name,
          `takes the archive past max-size (${limits.maxBytes} bytes)`,
          `raise ${setting("max-size")} if the archive is trusted`,
        );
      if (
        entry.uncompressedSize >= RATIO_FLOOR &&
        entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxRatio
      )
        refuse(
          name,
          `expands ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))}-fold, more than max-ratio (${limits.maxRatio})`,
          `raise ${setting("max-ratio")} if the archive is trusted`,
        );
      files.push(name);
      // Room for it among the writes in flight.
      const large = !isSmall(entry);
      // A small entry holds its raw and its inflated bytes at once.
      const weight = large ? STREAMING_BYTES : entry.compressedSize + entry.uncompressedSize;
      while (
        inFlight.size >= PARALLEL_ENTRIES ||
        (large && largeInFlight >= PARALLEL_LARGE) ||
        (inFlight.size > 0 && bytesInFlight + weight > PARALLEL_BYTES)
      )
        await new Promise<void>((resolve) => (wakeTake = resolve));
      if (failure !== undefined) return;
      bytesInFlight += weight;
      if (large) largeInFlight++;
      const hold = archive.hold?.(entry.relativeOffsetOfLocalHeader);
      // Held: the next entry lies past this one's data, and nothing below it is needed but what
      // holds keep (an entry larger than the source's window streams on).
      archive.advance?.(entry.relativeOffsetOfLocalHeader + entry.compressedSize);
      const task: Promise<void> = write(entry, name, target, hold)
        .catch((e: unknown) => {
          failure ??= blame(name, e);
        })
        .finally(() => {
          bytesInFlight -= weight;
          if (large) largeInFlight--;
          inFlight.delete(task);
          const wake = wakeTake;
          wakeTake = undefined;
          wake?.();
        });
      inFlight.add(task);
    };

    const nextEntry = entries(zip);
    while (failure === undefined) {
      signal?.throwIfAborted();
      let next: yauzl.Entry | undefined;
      try {
        next = await nextEntry();
      } catch (e) {
        // yauzl refused the next central record (a bad name, a size out of bounds): its message
        // names the entry itself.
        throw new UnsafeArchive(`the artifacts of ${label} are refused: ${(e as Error).message}`);
      }
      if (!next) break;
      // One spelling per path: `./a`, `a//b` and `a/./b` are `a`, `a/b`, `a/b`, so that the
      // checks cannot be stepped around.
      const name = canonical(next.fileName);
      // Entries are read in archive order: nothing before this one is needed but what holds keep.
      archive.advance?.(next.relativeOffsetOfLocalHeader);
      try {
        await take(next, name);
      } catch (e) {
        throw blame(name, e);
      }
    }
    await Promise.all(inFlight);
    await writer?.close();
    if (failure !== undefined) throw failure;
    signal?.throwIfAborted();
    return { dir, files, dirs, bytes };
  } catch (e) {
    // Let the writes in flight end before their folder goes.
    await Promise.allSettled(inFlight);
    await writer?.close();
    await rm(dir, { recursive: true, force: true });
    unregisterTemporary(dir);
    throw e;
  } finally {
    zip?.close();
  }
}

/**
 * A new, empty staging folder for `dest` (created if need be), to be committed or discarded;
 * until then a stopped run removes it.
 */
export async function openStaging(dest: string): Promise<string> {
  await mkdir(dest, { recursive: true });
  const dir = await stagingFolder(dest);
  registerTemporary(dir);
  return dir;
}

/** A new staging folder beside `dest`, or inside it when its parent may not be written. */
async function stagingFolder(dest: string): Promise<string> {
  const name = `.pipeline-artifacts-staging-${randomBytes(6).toString("hex")}`;
  const beside = join(dirname(dest), name);
  try {
    await mkdir(beside);
    return beside;
  } catch {
    const inside = join(dest, name);
    await mkdir(inside);
    return inside;
  }
}

/** `./a//b/./c/` -> `a/b/c`; `..` segments are kept (and refused by the caller when they climb out). */
function canonical(name: string): string {
  const n = posix.normalize(name.replace(/\/+$/, ""));
  return n === "." ? "" : n.replace(/^(\.\/)+/, "");
}

/**
 * Why a symlink at `name` pointing to `target` could lead outside the destination, if it could:
 * an absolute target, a target climbing above the destination, or one passing through another
 * symlink of the archive (whose own `..` would be resolved from somewhere else). Walked segment
 * by segment from the link's folder, as the file system resolves it.
 */
function linkEscapes(name: string, target: string, links: ReadonlySet<string>): string | undefined {
  if (target === "" || target.includes("\0")) return "with an empty or invalid target";
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target) || target.startsWith("\\"))
    return "pointing outside the destination: its target is an absolute path";
  const at = posix.dirname(name) === "." ? [] : posix.dirname(name).split("/");
  const segments = target.split("/").filter((s) => s !== "" && s !== ".");
  for (const [i, segment] of segments.entries()) {
    if (segment === "..") {
      if (at.length === 0) return "pointing outside the destination";
      at.pop();
    } else {
      at.push(segment);
      if (i < segments.length - 1 && links.has(at.join("/")))
        return `pointing through another symlink, ${JSON.stringify(at.join("/"))}, which could lead outside the destination`;
    }
  }
  return undefined;
}

/**
 * Puts staged files in `dest`, then removes the staging folder. A destination that is empty (new,
 * or created for this job) becomes the staging folder with one rename. Otherwise files are moved
 * in (replacing files already there), after every move was checked: nothing goes through a
 * symlink of the destination that leads outside it.
 */
export async function commit(staged: Staged, dest: string): Promise<void> {
  try {
    if (dirname(staged.dir) === dirname(dest) && (await swapIn(staged.dir, dest))) return;
    const missing = await preflight(staged, dest);
    const folder = folderMaker();
    for (const name of staged.dirs) folder(join(dest, ...name.split("/")));
    await mapLimit(staged.files, MOVES_IN_FLIGHT, async (name) => {
      const to = join(dest, ...name.split("/"));
      const parent = posix.dirname(name);
      if (parent !== "." && missing.has(parent)) folder(dirname(to));
      await rename(join(staged.dir, ...name.split("/")), to);
    });
  } finally {
    await discard(staged);
  }
}

/** Renames moved at once: the file system works on several while each waits. */
const MOVES_IN_FLIGHT = 16;

/** Replaces an empty `dest` by `dir`; false when `dest` holds anything (or cannot be replaced). */
async function swapIn(dir: string, dest: string): Promise<boolean> {
  if ((await readdir(dest).catch(() => ["?"])).length > 0) return false;
  try {
    await rmdir(dest);
  } catch {
    return false;
  }
  try {
    await rename(dir, dest);
    return true;
  } catch (e) {
    // Put the destination back as it was: an empty folder.
    await mkdir(dest, { recursive: true });
    throw e;
  }
}

/**
 * Checks every move before the first one, so that a clash leaves the destination untouched: no
 * folder where a file goes, no file where a folder goes, and no folder of the destination that
 * leads outside it through a symlink. Each folder is looked at once; a file is looked for only
 * where its folder exists. Returns the folders the destination does not have yet.
 */
async function preflight(staged: Staged, dest: string): Promise<Set<string>> {
  const root = await realpath(dest);
  const folders = new Set<string>(staged.dirs);
  for (const name of staged.files)
    for (let p = posix.dirname(name); p !== "."; p = posix.dirname(p)) folders.add(p);
  const missing = new Set<string>();
  for (const name of folders) {
    const path = join(dest, ...name.split("/"));
    const found = await lstat(path).catch(() => undefined);
    if (!found) {
      missing.add(name);
      continue;
    }
    if (!found.isDirectory() && !found.isSymbolicLink())
      throw new RunError(
        `cannot create the folder ${name} in ${dest}: a file of that name is there`,
      );
    const real = await realpath(path).catch(() => "");
    if (real !== root && !real.startsWith(root + sep))
      throw new UnsafeArchive(
        `${name}: the destination's folder ${relative(root, path)} leads outside it through a symlink`,
      );
  }
  await mapLimit(staged.files, MOVES_IN_FLIGHT, async (name) => {
    const parent = posix.dirname(name);
    if (parent !== "." && missing.has(parent)) return;
    const existing = await lstat(join(dest, ...name.split("/"))).catch(() => undefined);
    if (existing?.isDirectory())
      throw new RunError(
        `cannot put the file ${name} where a folder of that name exists in ${dest}`,
      );
  });
  return missing;
}

/** Removes a staging folder that will not be committed. */
export async function discard(staged: Staged): Promise<void> {
  await rm(staged.dir, { recursive: true, force: true });
  unregisterTemporary(staged.dir);
}

/** Removes `dir` if it is empty (a destination this run created and did not fill). */
export async function removeIfEmpty(dir: string): Promise<void> {
  if ((await readdir(dir).catch(() => ["?"])).length === 0) await rmdir(dir).catch(() => {});
}
