/**
 * Raw deflate inflated with blocking calls into buffers of the caller's, one call at a time: zlib's
 * own handle, fed the way Node's zlib streams feed it (lib/zlib.js: `_handle.writeSync`, and
 * `_writeState` for what is left of the input and of the output; the same on Node 20 and 24).
 *
 * Why not a zlib stream: each of its chunks is a round trip to the threadpool (a wake-up of a
 * thread and of the event loop), a callback and a new buffer. On the mixed corpus (bench/), with
 * 128 KiB chunks, that machinery was the largest part of the main thread's work, ahead of
 * inflating (perf record: thread wake-ups 15% of the run). Blocking calls of the same inflate
 * into the buffer the file is written from cost the inflating only. Node has no public blocking
 * call that keeps a stream open (inflateRawSync takes a whole entry, and allocates its output).
 *
 * Where the handle is not as expected (`handles()` false), callers use zlib's public streams.
 */
import { constants, createInflateRaw } from "node:zlib";

/** What lib/zlib.js keeps of its native handle. */
interface Handle {
  writeSync(
    flush: number,
    input: Buffer,
    inOffset: number,
    inLength: number,
    output: Buffer,
    outOffset: number,
    outLength: number,
  ): void;
  reset(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

interface Internals {
  _handle?: Handle;
  _writeState?: Uint32Array;
}

let usable: boolean | undefined;

/** Tests turn `handles` off, to take the way of a Node whose zlib handle is not as expected. */
export const inflation = { handles: true };

/** Whether zlib's handle is as this module expects (checked once). */
export function handles(): boolean {
  if (!inflation.handles) return false;
  if (usable === undefined) {
    const stream = createInflateRaw();
    const { _handle, _writeState } = stream as unknown as Internals;
    usable =
      typeof _handle?.writeSync === "function" &&
      typeof _handle.reset === "function" &&
      _writeState instanceof Uint32Array &&
      _writeState.length === 2;
    stream.close();
  }
  return usable;
}

/** One raw-deflate stream at a time (`reset` starts the next). */
export class Inflater {
  /** Input bytes the last step used. */
  consumed = 0;
  /** The last step filled its output: call again (with the rest of the input, if any). */
  more = false;
  readonly #handle: Handle;
  readonly #state: Uint32Array;
  #error: Error | undefined;

  constructor() {
    if (!handles()) throw new Error("zlib's handle is not as expected");
    const { _handle, _writeState } = createInflateRaw() as unknown as Required<Internals>;
    this.#handle = _handle;
    this.#state = _writeState;
    // Called during writeSync when zlib fails: the step then throws it.
    this.#handle.onerror = (message, errno, code) => {
      this.#error = Object.assign(new Error(message), { errno, code });
    };
  }

  /**
   * Inflates `input` from `at` into `output` until the output is full or the input is used up,
   * or, with `finish`, checks that the stream ended (zlib: "unexpected end of file"). Returns the
   * bytes written to `output`; `consumed` and `more` tell the rest.
   */
  step(input: Buffer, at: number, output: Buffer, finish = false): number {
    const left = input.length - at;
    this.#handle.writeSync(
      finish ? constants.Z_FINISH : constants.Z_NO_FLUSH,
      input,
      at,
      left,
      output,
      0,
      output.length,
    );
    if (this.#error) throw this.#error;
    const [outLeft = 0, inLeft = 0] = this.#state;
    this.consumed = left - inLeft;
    this.more = outLeft === 0;
    return output.length - outLeft;
  }

  /** Ready for a new stream (also after a failure). */
  reset(): void {
    this.#error = undefined;
    this.consumed = 0;
    this.more = false;
    this.#handle.reset();
  }
}

/** Inflaters not in use: each is a zlib stream, which only a collection would free. */
const spare: Inflater[] = [];

/** An inflater ready for a new stream; give it back when done. */
export function takeInflater(): Inflater {
  const z = spare.pop() ?? new Inflater();
  z.reset();
  return z;
}

export function giveBack(z: Inflater): void {
  spare.push(z);
}
