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

export const isSource = (body: Reply["body"]): body is BodySource =>
  body !== undefined && !Buffer.isBuffer(body);

export function bodyLength(body: Reply["body"]): number {
  if (body === undefined) return 0;
  return Buffer.isBuffer(body) ? body.length : body.length;
}

export interface Sent {
  /** Body bytes written to the socket. */
  bytes: number;
  /** How the answer ended: completely, or cut by the client or a fault. */
  outcome: "complete" | "client-closed" | "reset" | "stall" | "truncate";
}

const CHUNK = 16 * 1024;

/** Writes a reply, applying body faults. Resolves once the answer is over, however it ended. */
export async function sendReply(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  faults: Fault[],
): Promise<Sent> {
  const latency = findFault(faults, "latency");
  if (latency) await delay(latency.ms);
  res.writeHead(reply.status, reply.headers);
  if (req.method === "HEAD" || reply.body === undefined) {
    res.end();
    return { bytes: 0, outcome: "complete" };
  }

  const corrupt = findFault(faults, "corrupt");
  const throughput = findFault(faults, "throughput");
  const cut = (["reset", "stall", "truncate"] as const)
    .map((kind) => findFault(faults, kind))
    .filter((f) => f !== undefined)
    .sort((a, b) => a.afterBytes - b.afterBytes)[0];

  const source: Iterable<Buffer> | Readable = Buffer.isBuffer(reply.body)
    ? [reply.body]
    : reply.body.open();
  const started = performance.now();
  let sent = 0;
  let outcome: Sent["outcome"] = "complete";
  try {
    outer: for await (const whole of source as AsyncIterable<Buffer>) {
      for (let at = 0; at < whole.length; at += CHUNK) {
        let chunk = whole.subarray(at, Math.min(at + CHUNK, whole.length));
        if (corrupt && corrupt.atByte >= sent && corrupt.atByte < sent + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[corrupt.atByte - sent] = (chunk[corrupt.atByte - sent] ?? 0) ^ 0xff;
        }
        if (cut && sent + chunk.length >= cut.afterBytes) {
          const head = chunk.subarray(0, cut.afterBytes - sent);
          if (head.length > 0 && !(await write(res, head))) {
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
        if (!(await write(res, chunk))) {
          outcome = "client-closed";
          break outer;
        }
        sent += chunk.length;
      }
    }
  } finally {
    if (!Buffer.isBuffer(reply.body)) (source as Readable).destroy();
  }

  const socket = res.socket;
  switch (outcome) {
    case "complete":
      await new Promise<void>((resolve) => res.end(resolve));
      break;
    case "reset":
      socket?.resetAndDestroy();
      break;
    case "truncate":
      // Flush what was written, then FIN: the client sees fewer bytes than Content-Length.
      socket?.end();
      break;
    case "stall":
      // Keep the connection open and silent; the simulator's close() ends it.
      break;
    case "client-closed":
      break;
  }
  return { bytes: sent, outcome };
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
