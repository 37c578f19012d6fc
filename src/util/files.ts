/** File writes that finish what they start. */
import { close, open, write, writeSync } from "node:fs";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { Limiter } from "./concurrency.ts";

const writeAsync = promisify(write);

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

/** A free buffer of the pool, or undefined when all are taken: `wake` is then handed the next one. */
function takeBuffer(wake: (buffer: Buffer) => void): Buffer | undefined {
  const free = pool.free.pop();
  if (free) return free;
  if (pool.made < POOL_BUFFERS) {
    pool.made++;
    return Buffer.allocUnsafeSlow(POOL_BUFFER);
  }
  pool.waiting.push(wake);
  return undefined;
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
 * A new file (`wx`, with `mode`) written in the threadpool from the shared pool of buffers: a
 * chunk is copied into a buffer and dropped at once (held through a write of its own it outlived
 * V8's young collections, and piled up until a full one: peak RSS 130 MiB on the stored corpus
 * against 70 MiB), and a full buffer is written while the next fills. Memory stays bounded by the
 * pool, whatever the number of files; the main thread neither opens nor writes.
 */
export function pooledFile(target: string, mode: number): Writable {
  let fd: number | undefined;
  let buffer: Buffer | undefined;
  let used = 0;
  let position = 0;
  let writing = 0;
  let failure: Error | null = null;
  let gone = false;
  /** Called once the file's writes in flight are done (final and destroy may both wait). */
  const settled: (() => void)[] = [];

  const flush = () => {
    const b = buffer as Buffer;
    const length = used;
    buffer = undefined;
    used = 0;
    const at = position;
    position += length;
    writing++;
    writes
      .run(() => writeFully(fd as number, b, length, at))
      .catch((e: Error) => {
        failure ??= e;
      })
      .finally(() => {
        giveBack(b);
        if (--writing === 0) for (const then of settled.splice(0)) then();
      });
  };
  /** Runs `then` once no write of this file is in flight. */
  const whenSettled = (then: () => void) => {
    if (writing === 0) then();
    else settled.push(then);
  };
  const closeFd = (then: (e: Error | null) => void) => {
    const was = fd;
    fd = undefined;
    if (was === undefined) return then(null);
    close(was, then);
  };

  return new Writable({
    construct(done) {
      open(target, "wx", mode, (e, opened) => {
        fd = opened;
        done(e);
      });
    },
    write(chunk: Buffer, _encoding, done) {
      let offset = 0;
      const handed = (b: Buffer) => {
        if (gone) return giveBack(b);
        buffer = b;
        fill();
      };
      const fill = (): void => {
        while (offset < chunk.length) {
          if (failure) return done(failure);
          if (!buffer) {
            buffer = takeBuffer(handed);
            if (!buffer) return;
          }
          const n = chunk.copy(buffer, used, offset);
          used += n;
          offset += n;
          if (used === buffer.length) flush();
        }
        done(failure);
      };
      fill();
    },
    final(done) {
      if (buffer && used > 0) flush();
      whenSettled(() => {
        if (failure) return done(failure);
        closeFd(done);
      });
    },
    destroy(e, done) {
      gone = true;
      if (buffer) giveBack(buffer);
      buffer = undefined;
      // The file's writes in flight end before its descriptor is closed.
      whenSettled(() => closeFd(() => done(e)));
    },
  });
}
