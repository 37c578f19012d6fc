/**
 * What a route answers, and the one place that writes answers to the socket, so every route
 * and both origins get the same fault shaping and byte accounting.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { type Fault, findFault } from "./faults.ts";

/** A body too large to hold: its length and a way to stream it. */
export interface BodySource {
  length: number;
  open(): Readable;
}

export interface Reply {
  status: number;
  headers: OutgoingHttpHeaders;
  body?: Buffer | BodySource;
}

export const bodyLength = (body: Reply["body"]): number => body?.length ?? 0;

export interface Sent {
  /** Body bytes written to the socket. */
  bytes: number;
  /** How the answer ended: completely, cut by the client or a fault, or broken by its source. */
  outcome: "complete" | "client-closed" | "reset" | "stall" | "truncate" | "source-error";
}

/**
 * A body with faults is written in pieces of this size, so that a throughput limit paces it
 * finely. Without faults, each chunk of the source is written whole: a loop of 16 KiB writes
 * cost the simulator 1.8 s of CPU to serve 632 MiB, on the 2 cores the tool being measured
 * also runs on (GitLab's Workhorse copies a file to the socket in large writes).
 */
const CHUNK = 16 * 1024;

/**
 * Writes a reply, applying body faults. `settled` records the outcome before the client can
 * have the whole answer (before the last body byte, or before the end, reset or close), so a
 * test that reads the request log once its client is done finds the entry. It returns the
 * record, which is amended if the last write then fails.
 */
export async function sendReply(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  faults: Fault[],
  settled: (sent: Sent) => Sent,
): Promise<void> {
  const latency = findFault(faults, "latency");
  if (latency) await delay(latency.ms);
  res.writeHead(reply.status, reply.headers);
  if (req.method === "HEAD" || reply.body === undefined) {
    settled({ bytes: 0, outcome: "complete" });
    res.end();
    return;
  }

  const corrupt = findFault(faults, "corrupt");
  const throughput = findFault(faults, "throughput");
  const cut = (["reset", "stall", "truncate"] as const)
    .map((kind) => findFault(faults, kind))
    .filter((f) => f !== undefined)
    .sort((a, b) => a.afterBytes - b.afterBytes)[0];

  const step = corrupt || throughput || cut ? CHUNK : Infinity;
  const source: Iterable<Buffer> | Readable = Buffer.isBuffer(reply.body)
    ? [reply.body]
    : reply.body.open();
  const started = performance.now();
  const total = bodyLength(reply.body);
  let record: Sent | undefined;
  let sent = 0;
  let outcome: Sent["outcome"] = "complete";
  try {
    outer: for await (const whole of source as AsyncIterable<Buffer>) {
      for (let at = 0; at < whole.length; at += step) {
        let chunk = whole.subarray(at, Math.min(at + step, whole.length));
        if (corrupt && corrupt.atByte >= sent && corrupt.atByte < sent + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[corrupt.atByte - sent] = (chunk[corrupt.atByte - sent] ?? 0) ^ 0xff;
        }
        if (cut && sent + chunk.length >= cut.afterBytes) {
          // Hand the bytes before the cut to the kernel first: a reset discards what is still
          // buffered in the process, and the fault promises exactly `afterBytes` bytes.
          const head = chunk.subarray(0, cut.afterBytes - sent);
          if (!(await flush(res, head))) {
            outcome = "client-closed";
            break outer;
          }
          sent += head.length;
          outcome = cut.kind;
          break outer;
        }
        if (throughput) {
          const due =
            ((sent + chunk.length) / throughput.bytesPerSecond) * 1000 -
            (performance.now() - started);
          if (due > 0) await delay(due);
        }
        if (sent + chunk.length === total) record = settled({ bytes: total, outcome: "complete" });
        if (!(await write(res, chunk))) {
          outcome = "client-closed";
          break outer;
        }
        sent += chunk.length;
      }
    }
  } catch {
    // The body's source failed (a proxied store's connection broke): the answer breaks too.
    outcome = "source-error";
  } finally {
    if (!Buffer.isBuffer(reply.body)) (source as Readable).destroy();
  }

  if (!record) settled({ bytes: sent, outcome });
  else if (record.bytes !== sent || record.outcome !== outcome)
    Object.assign(record, { bytes: sent, outcome });
  const socket = res.socket;
  switch (outcome) {
    case "complete":
      res.end();
      break;
    case "reset":
    case "source-error":
      socket?.resetAndDestroy();
      break;
    case "truncate":
      // FIN after what was written: the client sees fewer bytes than Content-Length.
      socket?.end();
      break;
    case "stall":
      // Keep the connection open and silent; the simulator's close() ends it.
      break;
    case "client-closed":
      break;
  }
}

/** Writes with back-pressure; false when the client went away. */
function write(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once("drain", onDrain);
    res.once("close", onClose);
  });
}

/** Writes (headers too, even for no bytes) and waits until Node has handed it to the socket. */
function flush(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (chunk.length === 0) res.flushHeaders();
  return new Promise((resolve) => {
    if (chunk.length === 0) {
      const socket = res.socket;
      if (!socket || socket.writableLength === 0) return resolve(true);
      socket.write(Buffer.alloc(0), () => resolve(!res.destroyed));
      return;
    }
    res.write(chunk, (err) => resolve(!err && !res.destroyed));
  });
}
