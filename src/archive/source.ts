/**
 * Where an archive's bytes come from, as archive/ sees it: a ByteSource (a local file here; a
 * remote archive read through HTTP ranges in transfer/), and the one way to open a zip on it.
 * yauzl reads through `fromRandomAccessReader`; nothing else in the project imports yauzl.
 */
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import yauzl from "yauzl";

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
}

/** Bytes a slice of a local file is read in: few system calls for large entries. */
const SLICE = 256 * 1024;

/** A local file as a ByteSource, read with pread (a shared descriptor, never closed by a stream). */
export async function fileSource(path: string): Promise<ByteSource> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const read = async (position: number, length: number) => {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead < length)
        throw new Error(`unexpected end of archive at byte ${position + bytesRead}`);
      return buffer;
    };
    return {
      size,
      read,
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

/** Opens the zip archive a source holds. */
export function openZip(source: ByteSource): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(new SourceReader(source), source.size, ZIP_OPTIONS, (err, zip) =>
      err || !zip ? reject(err ?? new Error("not a zip archive")) : resolve(zip),
    ),
  );
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
