/**
 * A writer thread for archives of many small entries: it creates their folders, inflates and
 * checks their content, and writes their files and symlinks, with blocking calls, in the order it
 * was given them — off the main thread, which meanwhile reads and checks the next entries.
 *
 * Why: on 100,000 tiny files the main thread spent 3.6 s in blocking open, write, mkdir and close
 * calls, and 0.7 s creating a zlib object per entry and inflating, while the second core idled
 * (node --cpu-prof, bench/corpora.ts's tiny corpus). Through the threadpool instead, each call is
 * a round trip that costs more than the call (36 futex calls a file under strace -c -f).
 *
 * Work goes in batches: the entries' raw bytes are copied into one buffer, handed over (not
 * copied again) with the batch, and handed back for the next one. A batch leaves when it is full
 * or when the main thread next yields to the event loop. What is handed over and not yet done is
 * bounded, so memory stays flat however many entries come.
 *
 * The worker's source is a string evaluated by Node (nothing extra to bundle or to ship beside
 * dist/index.js). It holds the checks of content.ts for an entry read whole, said the same way.
 */
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
import { registerWriter } from "../util/cleanup.ts";
import { Corrupt, type Declared } from "./content.ts";
import { handles as zlibHandles } from "./inflate.ts";

/**
 * The worker: batches in, one message out per batch (its buffer back, or the first failure).
 *
 * Content is inflated as inflate.ts does it on the main thread: zlib's own handle, fed with
 * blocking calls into one output buffer of the thread's, and reset for each entry (inflateRawSync
 * makes a zlib stream and an output buffer per entry). Where the handle is not as expected
 * (`zlibHandles` false), entries are inflated with inflateRawSync.
 */
const SOURCE = String.raw`
const { parentPort, workerData } = require("node:worker_threads");
const { mkdirSync, openSync, writeSync, closeSync, symlinkSync, unlinkSync } = require("node:fs");
const { constants, createInflateRaw, crc32, inflateRawSync } = require("node:zlib");
// [0]: set by the main thread to stop; [1]: set while an operation runs (see stopNow).
const shared = new Int32Array(workerData.shared);
const EMPTY = Buffer.alloc(0);
const OUT = Buffer.allocUnsafeSlow(256 * 1024);
let failed = false;
class Corrupt extends Error {}
// zlib's handle, as inflate.ts uses it: made on first use, reset for each entry.
let handle;
let state;
let error;
function inflate(input, flush, out) {
  let at = 0;
  let left = input.length;
  for (;;) {
    handle.writeSync(flush, input, at, left, OUT, 0, OUT.length);
    if (error) throw error;
    const room = state[0];
    if (room < OUT.length) out(OUT.subarray(0, OUT.length - room));
    at += left - state[1];
    left = state[1];
    if (room !== 0) return;
  }
}
function writeAll(fd, bytes) {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}
function sized(data, size) {
  if (data.length > size) throw new Error("too many bytes in the stream");
  if (data.length < size) throw new Error("not enough bytes in the stream");
  return data;
}
function content(raw, method, size) {
  if (method === 0) return sized(raw, size);
  try {
    return sized(inflateRawSync(raw, { maxOutputLength: Math.max(size + 1, 1), chunkSize: Math.max(size + 1, 64) }), size);
  } catch (e) {
    if (e && e.code === "ERR_BUFFER_TOO_LARGE") throw new Error("too many bytes in the stream");
    throw e;
  }
}
// A new file, its content checked against its record (sizes, CRC-32) as it is written.
function writeFile(op, raw) {
  if (!workerData.zlibHandles) {
    const bytes = content(raw, op.method, op.size);
    if (crc32(bytes) !== op.crc) throw new Corrupt();
    raw = bytes;
    op = { ...op, method: 0 };
  }
  const fd = openSync(op.path, "wx", op.mode);
  let seen = 0;
  let sum = 0;
  const out = (bytes) => {
    seen += bytes.length;
    if (seen > op.size) throw new Error("too many bytes in the stream");
    sum = crc32(bytes, sum);
    writeAll(fd, bytes);
  };
  try {
    if (op.method === 8) {
      if (!handle) {
        const stream = createInflateRaw();
        handle = stream._handle;
        state = stream._writeState;
        handle.onerror = (message, errno, code) => {
          error = Object.assign(new Error(message), { errno, code });
        };
      }
      error = undefined;
      handle.reset();
      inflate(raw, constants.Z_NO_FLUSH, out);
      inflate(EMPTY, constants.Z_FINISH, out);
    } else out(raw);
    if (seen < op.size) throw new Error("not enough bytes in the stream");
    if (sum !== op.crc) throw new Corrupt();
  } finally {
    closeSync(fd);
  }
}
function run(op, raw) {
  if (op.kind === "folder") mkdirSync(op.path, { recursive: true });
  else if (op.kind === "link") symlinkSync(raw.toString("utf8"), op.path);
  else writeFile(op, raw);
}
parentPort.on("message", ({ ops, data }) => {
  if (failed) return;
  const all = Buffer.from(data);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    Atomics.store(shared, 1, 1);
    if (Atomics.load(shared, 0)) {
      Atomics.store(shared, 1, 0);
      Atomics.notify(shared, 1);
      break;
    }
    try {
      run(op, all.subarray(op.at, op.at + op.length));
    } catch (e) {
      failed = true;
      // A file that failed its checks is not left behind (one already there was not opened).
      if (op.kind === "file" && !(e && e.code === "EEXIST"))
        try {
          unlinkSync(op.path);
        } catch {}
      parentPort.postMessage(
        e instanceof Corrupt
          ? { failed: i, corrupt: true }
          : { failed: i, message: String(e && e.message), code: e && e.code },
      );
      return;
    } finally {
      Atomics.store(shared, 1, 0);
      Atomics.notify(shared, 1);
    }
  }
  parentPort.postMessage({ data }, [data]);
});
`;

interface Op {
  kind: "folder" | "file" | "link";
  path: string;
  /** Where the entry's bytes are in the batch's buffer. */
  at: number;
  length: number;
  method: number;
  size: number;
  crc: number;
  mode: number;
}

/** What the worker says of a batch: its buffer back, or the first of its operations that failed. */
interface Reply {
  data?: ArrayBuffer;
  failed?: number;
  corrupt?: boolean;
  message?: string;
  code?: string;
}

/** A batch's buffer: no entry larger than it is given to the writer. */
export const BATCH_BYTES = 1024 * 1024;
/** A batch's operations, at most: each is an object on both threads' heaps until it is done. */
const BATCH_OPS = 1024;
/**
 * Writer threads. Two: opening and writing 100,000 files is mostly the kernel's work, which then
 * runs on both cores. Measured on the tiny corpus (alternating runs, fresh folders): one thread
 * 4.6-8.2 s, two 4.4-5.6 s; each costs about 10 MiB of memory.
 */
const WRITER_THREADS = 2;
/** Batches handed over and not yet done, at most: one being written, the next one waiting. */
const BATCHES_IN_FLIGHT = 2;

/** An operation of the writer that failed, and the entry it was for. */
export interface WriteFailure {
  name: string;
  error: Error;
}

/** One thread and its batches: what it is given, it does in order. */
class WriterThread {
  readonly #worker: Worker;
  #ops: Op[] = [];
  #names: string[] = [];
  #buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  #used = 0;
  /** The entries' names of each batch in flight, oldest first (a failure comes as an index). */
  #sent: string[][] = [];
  /** Buffers handed back, for the next batches. */
  #spare: ArrayBuffer[] = [];
  #scheduled = false;
  #failure: WriteFailure | undefined;
  /** Woken when a batch is done, or the writer failed or stopped. */
  #waiters: (() => void)[] = [];
  #closing: Promise<void> | undefined;
  /** Shared with the thread: [0] asks it to stop, [1] is set while it runs an operation. */
  readonly #shared = new Int32Array(new SharedArrayBuffer(8));

  /** `onFailure` hears of the first failure as soon as it is known. */
  constructor(
    private readonly onFailure: (failure: WriteFailure) => void,
    handles: boolean,
  ) {
    this.#worker = new Worker(SOURCE, {
      eval: true,
      workerData: { shared: this.#shared.buffer, zlibHandles: handles },
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    });
    this.#worker.on("message", (reply: Reply) => this.#reply(reply));
    this.#worker.on("error", (error) => this.#fail(this.#sent[0]?.[0] ?? "", error));
    this.#worker.on("exit", () => {
      if (!this.#closing)
        this.#fail(this.#sent[0]?.[0] ?? "", new Error("the writer thread stopped"));
      this.#wake();
    });
  }

  /** Creates a folder, with its parents, before anything given after it. */
  folder(path: string): void {
    this.#add(
      { kind: "folder", path, at: 0, length: 0, method: 0, size: 0, crc: 0, mode: 0 },
      path,
    );
  }

  /** Creates a symlink to `target` (checked by the caller). */
  link(name: string, path: string, target: Buffer): Promise<void> {
    return this.#entry(
      {
        kind: "link",
        path,
        at: 0,
        length: target.length,
        method: 0,
        size: 0,
        crc: 0,
        mode: 0,
      },
      name,
      target,
    );
  }

  /**
   * Inflates an entry's raw data when deflated, checks its size and CRC-32 against `declared`, and
   * writes it as a new file (`wx`, with `mode`). The data is copied: the caller may let it go.
   * Resolves once there is room for more (at once, mostly).
   */
  file(name: string, path: string, declared: Declared, raw: Buffer, mode: number): Promise<void> {
    const { method, size, crc } = declared;
    return this.#entry(
      { kind: "file", path, at: 0, length: raw.length, method, size, crc, mode },
      name,
      raw,
    );
  }

  async #entry(op: Op, name: string, bytes: Buffer): Promise<void> {
    if (bytes.length > BATCH_BYTES)
      throw new Error(`an entry of ${bytes.length} bytes is too large for the writer`);
    while (
      !this.#failure &&
      (this.#used + bytes.length > BATCH_BYTES || this.#ops.length >= BATCH_OPS)
    ) {
      if (this.#sent.length < BATCHES_IN_FLIGHT) this.#flush();
      else await this.#next();
    }
    if (this.#failure) return;
    op.at = this.#used;
    bytes.copy(this.#buffer, this.#used);
    this.#used += bytes.length;
    this.#add(op, name);
  }

  #add(op: Op, name: string): void {
    if (this.#failure) return;
    this.#ops.push(op);
    this.#names.push(name);
    // Folders do not wait for room: a run of them leaves as soon as it may.
    if (this.#ops.length >= BATCH_OPS && this.#sent.length < BATCHES_IN_FLIGHT) this.#flush();
    if (this.#scheduled) return;
    // The batch leaves when the main thread next yields, unless it fills first.
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#sent.length < BATCHES_IN_FLIGHT) this.#flush();
    });
  }

  /** Hands the batch being filled over, and starts the next one. */
  #flush(): void {
    if (this.#failure || this.#ops.length === 0) return;
    const data = this.#buffer.buffer as ArrayBuffer;
    this.#worker.postMessage({ ops: this.#ops, data }, [data]);
    this.#sent.push(this.#names);
    this.#ops = [];
    this.#names = [];
    this.#used = 0;
    const spare = this.#spare.pop();
    this.#buffer = spare ? Buffer.from(spare) : Buffer.allocUnsafeSlow(BATCH_BYTES);
  }

  /**
   * Stops the thread at once, from any state, and returns once it runs no operation (a second at
   * most): for an exit path, before the folder it writes into is removed. Nothing given runs
   * afterwards.
   */
  stopNow(): void {
    Atomics.store(this.#shared, 0, 1);
    const until = Date.now() + 1000;
    while (Atomics.load(this.#shared, 1) === 1 && Date.now() < until)
      Atomics.wait(this.#shared, 1, 1, 50);
    this.#fail(this.#sent[0]?.[0] ?? "", new Error("the writer thread was stopped"));
  }

  #reply(reply: Reply): void {
    const names = this.#sent.shift() ?? [];
    if (reply.data) {
      this.#spare.push(reply.data);
      // Work given while every batch was out leaves now.
      if (!this.#scheduled) this.#flush();
    } else {
      const error = reply.corrupt
        ? new Corrupt()
        : Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
      this.#fail(names[reply.failed ?? 0] ?? "", error);
    }
    this.#wake();
  }

  #fail(name: string, error: Error): void {
    if (this.#failure) return;
    this.#failure = { name, error };
    this.#ops = [];
    this.#names = [];
    this.onFailure(this.#failure);
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Waits until everything given is written (or the writer failed), then stops the thread. The
   * caller awaits it before it uses what was written, or removes it. Once only; later calls wait
   * for the same.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (!this.#failure && (this.#sent.length > 0 || this.#ops.length > 0)) {
        if (this.#ops.length > 0 && this.#sent.length < BATCHES_IN_FLIGHT) this.#flush();
        else await this.#next();
      }
      // After a failure the thread runs nothing more: a failed batch ends its work, and it
      // ignores the batches that follow.
      await this.#worker.terminate();
    })();
    return this.#closing;
  }
}

/**
 * Writer threads, and which one an entry goes to: every entry of a folder goes to the thread that
 * creates the folder, so it comes after it. Folders are created with their parents; two threads
 * creating the same parent is fine (mkdir -p).
 */
export class EntryWriter {
  readonly #threads: WriterThread[];
  readonly #unregister: () => void;
  #failure: WriteFailure | undefined;

  /**
   * `onFailure` hears of the first failure as soon as it is known. `handles` (tests) says whether
   * the threads use zlib's handle; by default, when it is as expected.
   */
  constructor(
    onFailure: (failure: WriteFailure) => void,
    { threads = WRITER_THREADS, handles = zlibHandles() } = {},
  ) {
    const failed = (failure: WriteFailure) => {
      if (this.#failure) return;
      this.#failure = failure;
      onFailure(failure);
    };
    this.#threads = Array.from({ length: threads }, () => new WriterThread(failed, handles));
    this.#unregister = registerWriter(() => {
      for (const t of this.#threads) t.stopNow();
    });
  }

  /** The first failure, once known: nothing given to its thread after it is written. */
  get failure(): WriteFailure | undefined {
    return this.#failure;
  }

  /** The thread of a folder's entries. */
  #of(folder: string): WriterThread {
    const threads = this.#threads;
    if (threads.length === 1) return threads[0]!;
    let hash = 0;
    for (let i = 0; i < folder.length; i++) hash = (hash * 31 + folder.charCodeAt(i)) | 0;
    return threads[(hash >>> 0) % threads.length]!;
  }

  /** Creates a folder, with its parents, before anything given for it. */
  folder(path: string): void {
    this.#of(path).folder(path);
  }

  /** Creates a symlink to `target` (checked by the caller), once its folder is there. */
  link(name: string, path: string, target: Buffer): Promise<void> {
    return this.#of(dirname(path)).link(name, path, target);
  }

  /**
   * Inflates an entry's raw data when deflated, checks its size and CRC-32 against `declared`, and
   * writes it as a new file (`wx`, with `mode`), once its folder is there. The data is copied:
   * the caller may let it go. Resolves once there is room for more (at once, mostly).
   */
  file(name: string, path: string, declared: Declared, raw: Buffer, mode: number): Promise<void> {
    return this.#of(dirname(path)).file(name, path, declared, raw, mode);
  }

  /**
   * Waits until everything given is written (or has failed), then stops the threads. The caller
   * awaits it before it uses what was written, or removes it.
   */
  async close(): Promise<void> {
    try {
      await Promise.all(this.#threads.map((t) => t.close()));
    } finally {
      this.#unregister();
    }
  }
}
