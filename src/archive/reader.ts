/**
 * Random access to an archive for yauzl (`fromRandomAccessReader`). Reading a local file in
 * 1 MiB slices (yauzl's own file reader streams 16 KiB at a time) and small header reads with one
 * pread each make extraction several times fewer system calls. A reader over HTTP ranges can
 * stand in the same place: this module is the only one that knows where bytes come from.
 */
import { close, open, read } from "node:fs";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import yauzl from "yauzl";

const SLICE = 256 * 1024;

/**
 * Bytes [start, end) of an open file, read with pread in 1 MiB slices. (fs.createReadStream on a
 * shared descriptor would close it when yauzl destroys the stream.)
 */
class SliceStream extends Readable {
  #at: number;
  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: SLICE });
    this.#at = start;
  }

  override _read(): void {
    const length = Math.min(SLICE, this.end - this.#at);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(length);
    read(this.fd, buffer, 0, length, this.#at, (err, bytes) => {
      if (err) return this.destroy(err);
      if (bytes === 0)
        return this.destroy(new Error(`unexpected end of archive at byte ${this.#at}`));
      this.#at += bytes;
      this.push(bytes < length ? buffer.subarray(0, bytes) : buffer);
    });
  }
}

class FileReader extends yauzl.RandomAccessReader {
  constructor(private readonly fd: number) {
    super();
  }

  override _readStreamForRange(start: number, end: number) {
    return new SliceStream(this.fd, start, end);
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    read(this.fd, buffer, offset, length, position, (err, bytes) =>
      callback(
        err ??
          (bytes < length
            ? new Error(`unexpected end of archive at byte ${position + bytes}`)
            : null),
      ),
    );
  }

  override close(callback: (err: Error | null) => void): void {
    close(this.fd, (err) => callback(err ?? null));
  }
}

const fromReader = promisify(
  (
    reader: yauzl.RandomAccessReader,
    size: number,
    options: yauzl.Options,
    cb: (err: Error | null, zip: yauzl.ZipFile) => void,
  ) => yauzl.fromRandomAccessReader(reader, size, options, (err, zip) => cb(err, zip)),
);

/** Opens a zip file; closing the ZipFile (autoClose or close()) closes the file. */
export async function openZip(
  path: string,
  size: number,
  options: yauzl.Options,
): Promise<yauzl.ZipFile> {
  const fd = await promisify(open)(path, "r");
  try {
    return await fromReader(new FileReader(fd), size, { ...options, autoClose: false });
  } catch (e) {
    close(fd, () => {});
    throw e;
  }
}
