/**
 * An idle timeout on a response body. Node's and @actions/http-client's socket timeouts only
 * half-close the socket when it goes quiet, so a server that sends part of a body and then
 * nothing, without closing, would keep the read waiting for ever. This watchdog destroys the
 * body when no byte has arrived for `ms` while the reader was waiting for one (bytes already
 * buffered mean the reader is slow, not the server), so the transfer fails like a dropped
 * connection and is resumed or retried.
 */
import type { IncomingMessage } from "node:http";

/** A body that went silent: retried and resumed like a dropped connection. */
export class Stalled extends Error {
  override name = "Stalled";
  readonly code = "ETIMEDOUT";
}

export function watchStall(body: IncomingMessage, ms: number, where: string): void {
  const { socket } = body;
  let seen = socket.bytesRead;
  let quietSince = Date.now();
  const timer = setInterval(
    () => {
      const read = socket.bytesRead;
      if (read !== seen || body.readableLength > 0) {
        seen = read;
        quietSince = Date.now();
        return;
      }
      const quiet = Date.now() - quietSince;
      if (quiet < ms) return;
      clearInterval(timer);
      body.destroy(
        new Stalled(
          `no data for ${(quiet / 1000).toFixed(0)} s from ${where} (stall-timeout ${(ms / 1000).toFixed(0)} s); the server or the network stalled`,
        ),
      );
    },
    Math.max(10, Math.min(1000, ms / 4)),
  );
  // The watchdog never keeps the process alive on its own.
  timer.unref();
  const stop = () => clearInterval(timer);
  body.once("end", stop);
  body.once("close", stop);
  body.once("error", stop);
}
