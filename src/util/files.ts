/** File writes that finish what they start. */
import { close, open, write, writeSync } from "node:fs";
import { promisify } from "node:util";
import { Limiter } from "./concurrency.ts";

const writeAsync = promisify(write);
const openAsync = promisify(open);
const closeAsync = promisify(close);

/**
 * Writes all of `bytes` to `fd` (a write may take fewer bytes than it was given), at `position`
 * when given, else at the file's offset.
 */
export function writeAll(fd: number, bytes: Buffer, position?: number): void {
  for (let at = 0; at < bytes.length;)
    at += writeSync(
      fd,
      bytes,
      at,
      bytes.length - at,
      position === undefined ? null : position + at,
    );
}

/**
 * The buffers the files being written share: what their writes hold, at most, together. Each file
 * holds one buffer it is filling, so fewer files than this are written at once (archive/extract.ts
 * streams four large entries at most): the others' buffers always come back.
 */
const POOL_BUFFERS = 8;
const POOL_BUFFER = 256 * 1024;
/**
 * Writes handed to the threadpool at once. The threadpool inflates too, and runs its work in the
 * order it was given: a deep queue of writes would hold every inflate behind it.
 */
const WRITES_IN_FLIGHT = 2;

/** The shared buffers, and the files waiting for one (each is handed the next buffer given back). */
const pool = { free: [] as Buffer[], made: 0, waiting: [] as ((buffer: Buffer) => void)[] };
const writes = new Limiter(WRITES_IN_FLIGHT);

/** A free buffer of the pool, or once all are taken, the next one given back. */
function takeBuffer(): Buffer | Promise<Buffer> {
  const free = pool.free.pop();
  if (free) return free;
  if (pool.made < POOL_BUFFERS) {
    pool.made++;
    return Buffer.allocUnsafeSlow(POOL_BUFFER);
  }
  return new Promise((resolve) => pool.waiting.push(resolve));
}

function giveBack(buffer: Buffer): void {
  const next = pool.waiting.shift();
  if (next) next(buffer);
  else pool.free.push(buffer);
}

/** Writes the first `length` bytes of `buffer` at `position`, all of them. */
async function writeFully(fd: number, buffer: Buffer, length: number, position: number) {
  for (let at = 0; at < length;)
    at += (await writeAsync(fd, buffer, at, length - at, position + at)).bytesWritten;
}

/**
 * A new file (`wx`, with `mode`) written in the threadpool from the shared pool of buffers: bytes
 * are copied (or inflated) into a buffer of the pool, and a full buffer is written while the next
 * fills. Held through a write of its own, each chunk outlived V8's young collections and piled up
 * until a full one (peak RSS 130 MiB on the stored corpus against 70 MiB). Memory stays bounded
 * by the pool, whatever the number of files; the main thread neither opens nor writes.
 */
export class PooledFile {
  #buffer: Buffer | undefined;
  #used = 0;
  #position = 0;
  #writing = 0;
  #failure: Error | undefined;
  /** Called once the file's writes in flight are done. */
  #settled: (() => void)[] = [];
  #fd: number | undefined;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  static async create(target: string, mode: number): Promise<PooledFile> {
    return new PooledFile(await openAsync(target, "wx", mode));
  }

  /**
   * The free part of the buffer being filled (a buffer of the pool is taken first if none is):
   * fill some of it, then say how much with `filled`.
   */
  space(): Buffer | Promise<Buffer> {
    if (this.#failure) throw this.#failure;
    if (this.#buffer) return this.#buffer.subarray(this.#used);
    const taken = takeBuffer();
    if (!(taken instanceof Promise)) return this.#fill(taken);
    return taken.then((b) => this.#fill(b));
  }

  #fill(buffer: Buffer): Buffer {
    // Given back while this file waited: a failure or destroy() came meanwhile.
    if (this.#failure || this.#fd === undefined) {
      giveBack(buffer);
      throw this.#failure ?? new Error("the file was closed");
    }
    this.#buffer = buffer;
    this.#used = 0;
    return buffer;
  }

  /** `length` bytes of the space were filled. */
  filled(length: number): void {
    this.#used += length;
    if (this.#buffer && this.#used === this.#buffer.length) this.#flush();
  }

  /** Copies bytes in; resolves once they are (undefined: at once). */
  write(bytes: Buffer): Promise<void> | undefined {
    for (let at = 0; at < bytes.length;) {
      const space = this.space();
      if (space instanceof Promise)
        return space.then(() => this.write(bytes.subarray(at))).then(() => undefined);
      const n = bytes.copy(space, 0, at);
      at += n;
      this.filled(n);
    }
    return undefined;
  }

  #flush(): void {
    const b = this.#buffer as Buffer;
    const length = this.#used;
    this.#buffer = undefined;
    this.#used = 0;
    const at = this.#position;
    this.#position += length;
    this.#writing++;
    const fd = this.#fd as number;
    writes
      .run(() => writeFully(fd, b, length, at))
      .catch((e: Error) => {
        this.#failure ??= e;
      })
      .finally(() => {
        giveBack(b);
        if (--this.#writing === 0) for (const then of this.#settled.splice(0)) then();
      });
  }

  /** Once no write of this file is in flight. */
  #whenSettled(): Promise<void> {
    if (this.#writing === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settled.push(resolve));
  }

  async #close(): Promise<void> {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await closeAsync(fd);
  }

  /** Writes what is left, and closes the file: fails as a write failed. */
  async end(): Promise<void> {
    if (this.#used > 0) this.#flush();
    // Taken, and nothing was put in it (the end of an inflate gave no more bytes).
    else if (this.#buffer) giveBack(this.#buffer);
    this.#buffer = undefined;
    await this.#whenSettled();
    if (this.#failure) {
      await this.#close();
      throw this.#failure;
    }
    await this.#close();
  }

  /** Gives its buffer back and closes the file, once its writes in flight are done. */
  async destroy(): Promise<void> {
    this.#failure ??= new Error("the file was closed");
    if (this.#buffer) giveBack(this.#buffer);
    this.#buffer = undefined;
    await this.#whenSettled();
    await this.#close();
  }
}
