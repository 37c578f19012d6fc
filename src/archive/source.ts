/**
 * Where an archive's bytes come from, as archive/ sees it: a ByteSource (a local file here; a
 * remote archive read through HTTP ranges in transfer/), and the one way to open a zip on it.
 * yauzl reads through `fromRandomAccessReader`; nothing else in the project imports yauzl.
 */
import { readSync } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import yauzl from "yauzl";
import { centralDirectoryStart, END_BYTES } from "./layout.ts";

/** Random access to the bytes of an archive. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Exactly `length` bytes at `position` (fewer is an error). */
  read(position: number, length: number): Promise<Buffer>;
  /** Bytes [start, end) as a stream. */
  stream(start: number, end: number): Readable;
  /** Releases what the source holds (a file descriptor, a connection). */
  close(): Promise<void>;
  /**
   * For a source that lets go of bytes as the reading moves on (an archive still arriving, held
   * in a bounded window): the reader will read nothing below `position` from now on, apart from
   * what its holds keep. The reader calls it with each entry's offset, in archive order.
   */
  advance?(position: number): void;
  /** Keeps the bytes from `position` on (for reads to come), until released. */
  hold?(position: number): SourceHold;
  /**
   * Bytes [start, end), handed to `take` piece by piece as views of the source's own memory, not
   * copies: a view stays as it is until the promise `take` returned settles, and no longer. It
   * resolves once every piece was taken; it fails as `take` fails.
   */
  pieces?(start: number, end: number, take: (piece: Buffer) => Promise<void>): Promise<void>;
}

/**
 * Bytes [start, end) of a source handed to `take` piece by piece, each valid until `take`'s
 * promise settles: the source's own views where it has them, else the chunks of its stream.
 */
export async function eachPiece(
  source: ByteSource,
  start: number,
  end: number,
  take: (piece: Buffer) => Promise<void>,
): Promise<void> {
  if (source.pieces) return source.pieces(start, end, take);
  for await (const chunk of source.stream(start, end) as AsyncIterable<Buffer>) await take(chunk);
}

/** Bytes kept for reads to come: from where it was made, or last moved to. */
export interface SourceHold {
  move(position: number): void;
  release(): void;
}

/** Bytes a slice of a local file is read in: few system calls for large entries. */
const SLICE = 256 * 1024;

/**
 * Exactly `length` bytes of an open file at `position`, read with a blocking pread. The archive
 * being extracted was just written (or downloaded) and sits in the page cache, so a read is a
 * copy of at most a slice: cheaper on the main thread than the threadpool's round trip, which
 * on 100,000 small entries cost more than the reads (node --cpu-prof).
 */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  const got = readSync(fd, buffer, 0, length, position);
  if (got < length) throw new Error(`unexpected end of archive at byte ${position + got}`);
  return buffer;
}

/** Reads up to this size are served from a block read ahead: one system call for many entries. */
const SMALL_READ = 64 * 1024;
const BLOCK = 1024 * 1024;

/**
 * A local file as a ByteSource, read with pread (a shared descriptor, never closed by a stream).
 * Small reads come from a block of the file read ahead: entries are read in archive order, so on
 * 100,000 small entries one read of a block served about a hundred of them (node --cpu-prof on
 * the tiny corpus: 111,601 reads took 0.5 s of the main thread's 4.5 s).
 */
export async function fileSource(path: string): Promise<ByteSource> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const block = Buffer.allocUnsafeSlow(Math.min(BLOCK, size));
    let blockAt = 0;
    let blockEnd = 0;
    const read = async (position: number, length: number) => {
      if (length > SMALL_READ) return readAt(handle.fd, position, length);
      if (position < blockAt || position + length > blockEnd) {
        blockAt = position;
        blockEnd = position + readSync(handle.fd, block, 0, block.length, position);
        if (position + length > blockEnd)
          throw new Error(`unexpected end of archive at byte ${blockEnd}`);
      }
      // A copy: the block is read into again.
      return Buffer.from(block.subarray(position - blockAt, position - blockAt + length));
    };
    /** Where large pieces are read into, one at a time (views of it are handed out). */
    let piece: Buffer | undefined;
    return {
      size,
      read,
      async pieces(start, end, take) {
        piece ??= Buffer.allocUnsafeSlow(SLICE);
        // Its own buffer while pieces of several entries are taken at once.
        const into = piece;
        piece = undefined;
        try {
          for (let at = start; at < end;) {
            const length = Math.min(SLICE, end - at);
            const got = readSync(handle.fd, into, 0, length, at);
            if (got < length) throw new Error(`unexpected end of archive at byte ${at + got}`);
            await take(into.subarray(0, length));
            at += length;
          }
        } finally {
          piece ??= into;
        }
      },
      stream: (start, end) =>
        Readable.from(
          (async function* () {
            for (let at = start; at < end; at += SLICE) yield read(at, Math.min(SLICE, end - at));
          })(),
          { objectMode: false },
        ),
      close: () => handle.close(),
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** How every archive is opened: yauzl validates names and sizes; entries are read one by one. */
const ZIP_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  decodeStrings: true,
  validateEntrySizes: true,
  strictFileNames: false,
  // The source's owner closes it.
  autoClose: false,
};

/** yauzl's reader over a ByteSource. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: ByteSource) {
    super();
  }

  override _readStreamForRange(start: number, end: number) {
    return this.source.stream(start, end);
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    this.source.read(position, length).then(
      (data) => {
        data.copy(buffer, offset);
        callback(data.length < length ? new Error("unexpected end of the archive") : null);
      },
      (e: Error) => callback(e),
    );
  }

  override close(callback: (err: Error | null) => void): void {
    // Closing the zip does not close the source: its owner does.
    callback(null);
  }
}

/** Opens the zip archive a source holds; its central directory is read once, into memory. */
export async function openZip(source: ByteSource): Promise<yauzl.ZipFile> {
  const reader = new SourceReader(await withCentralDirectory(source));
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(reader, source.size, ZIP_OPTIONS, (err, zip) =>
      err || !zip ? reject(err ?? new Error("not a zip archive")) : resolve(zip),
    ),
  );
}

/**
 * The most bytes of central directory held in memory while an archive is read: well over
 * 100,000 entries' worth. A larger one is read through the source record by record.
 */
const CENTRAL_IN_MEMORY = 32 * 1024 * 1024;

/** The last bytes of an archive, held in memory: [start, size). */
export interface ArchiveEnd {
  start: number;
  data: Buffer;
  /** Whether they hold the whole central directory (else only the records at the very end). */
  central: boolean;
}

/**
 * An archive's end from where its central directory starts, in at most two reads: the tail
 * (which yauzl reads whole first), then what of the directory lies before it. A directory over
 * `limit` bytes, or one the tail does not locate, is left out. Where it starts is only a hint
 * (archive/layout.ts): yauzl checks the records itself.
 */
export async function readEnd(source: ByteSource, limit = CENTRAL_IN_MEMORY): Promise<ArchiveEnd> {
  const { size } = source;
  const tailStart = Math.max(0, size - END_BYTES);
  const tail = await source.read(tailStart, size - tailStart);
  const start = centralDirectoryStart(tail, tailStart);
  if (start === undefined || start > size || size - start > limit)
    return { start: tailStart, data: tail, central: false };
  if (start >= tailStart) return { start: tailStart, data: tail, central: true };
  const head = await source.read(start, tailStart - start);
  return { start, data: Buffer.concat([head, tail]), central: true };
}

/** Bytes [position, position + length) from an archive's end, or undefined if they start before it. */
export function fromEnd(end: ArchiveEnd, position: number, length: number): Buffer | undefined {
  if (position < end.start) return undefined;
  const bytes = end.data.subarray(position - end.start, position - end.start + length);
  if (bytes.length < length)
    throw new Error(`unexpected end of archive at byte ${end.start + end.data.length}`);
  return bytes;
}

/**
 * The source, with its central directory (and the records after it) served from memory: yauzl
 * reads each central record in two small reads, which cost a system call each from a file and
 * a request each from a remote archive — 200,000 for 100,000 entries. Read here in one piece.
 */
async function withCentralDirectory(source: ByteSource): Promise<ByteSource> {
  const end = await readEnd(source);
  return {
    size: source.size,
    read: async (position, length) =>
      fromEnd(end, position, length) ?? source.read(position, length),
    stream: (start, stop) => {
      const held = fromEnd(end, start, stop - start);
      return held ? Readable.from([held]) : source.stream(start, stop);
    },
    close: () => source.close(),
  };
}

/** Runs `body` on a local file's source and closes it afterwards. */
export async function withFile<T>(
  path: string,
  body: (source: ByteSource) => Promise<T>,
): Promise<T> {
  const source = await fileSource(path);
  try {
    return await body(source);
  } finally {
    await source.close();
  }
}
