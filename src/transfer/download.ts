/**
 * Streams one archive to a temporary file beside its destination, hashing it (SHA-256) as it
 * arrives, verifying its length, and resuming with Range + If-Range after a dropped connection.
 * Never holds the archive in memory; removes the partial file when it fails.
 */
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { rm, truncate } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { RunError } from "../errors.ts";
import type { GitLabClient } from "../gitlab/client.ts";
import { networkError } from "../gitlab/client.ts";
import { GitLabError } from "../gitlab/errors.ts";
import { registerTemporary, unregisterTemporary } from "../util/cleanup.ts";
import { released } from "../util/memory.ts";

/**
 * Bytes queued for the file before waiting: socket chunks (16-64 KiB) are written together
 * (writev), a few thousand system calls a GiB instead of tens of thousands.
 */
const WRITE_BUFFER = 256 * 1024;

export interface Downloaded {
  /** The temporary file; the caller moves or extracts it, then removes it ("" with a sink). */
  file: string;
  bytes: number;
  sha256: string;
  /** How many times a dropped transfer was resumed. */
  resumes: number;
}

export interface DownloadOptions {
  client: GitLabClient;
  url: string;
  /** Folder the temporary file goes in (beside the destination: same file system). */
  dir: string;
  what: string;
  /** Called as bytes arrive. */
  progress?: (received: number, total: number | undefined) => void;
  /** Most resumptions of a dropped transfer. */
  maxResumes?: number;
  /**
   * Takes the body instead of a file (transfer/overlap.ts: extraction that follows the download).
   * No file is written then.
   */
  sink?: BodySink;
  /** Stops the transfer (and removes the file) when aborted. */
  signal?: AbortSignal;
}

/** Where a download's body goes instead of a file. */
export interface BodySink {
  /**
   * A response's body is about to come from `offset`: 0 for the first, and for one that starts
   * over (the archive changed, or its URL had to be asked again); `validator` is its ETag or
   * Last-Modified, `total` the archive's size when the response says it.
   */
  began(offset: number, validator: string | undefined, total: number | undefined): void;
  /**
   * Takes the body's next chunk; the download waits until the promise settles, when there is one
   * (none: there is room for the next chunk now).
   */
  push(chunk: Buffer): Promise<void> | undefined;
}

/** Removes a downloaded temporary file that will not become a result. */
export async function removeDownload(file: string): Promise<void> {
  await rm(file, { force: true });
  unregisterTemporary(file);
}

/** A new temporary file name for an archive in `dir`. */
export const temporaryIn = (dir: string) =>
  join(dir, `.pipeline-artifacts-${randomBytes(6).toString("hex")}.zip.part`);

/** Whole-body validators usable in If-Range: a strong ETag, else Last-Modified. */
export function validator(headers: IncomingHttpHeaders): string | undefined {
  const etag = headers.etag;
  if (typeof etag === "string" && etag.startsWith('"')) return etag;
  return typeof headers["last-modified"] === "string" ? headers["last-modified"] : undefined;
}

function contentRange(
  headers: IncomingHttpHeaders,
): { start: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(headers["content-range"] ?? ""));
  return m ? { start: Number(m[1]), total: m[2] === "*" ? undefined : Number(m[2]) } : undefined;
}

export async function download(options: DownloadOptions): Promise<Downloaded> {
  const { client, url, what, sink, signal } = options;
  const file = sink ? "" : temporaryIn(options.dir);
  let hash = createHash("sha256");
  let received = 0;
  let total: number | undefined;
  let ifRange: string | undefined;
  let resumes = 0;
  let restarted = false;
  const maxResumes = options.maxResumes ?? 8;
  if (file) registerTemporary(file);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const resuming = received > 0 && ifRange !== undefined;
      const headers = resuming ? { Range: `bytes=${received}-`, "If-Range": ifRange } : {};
      let res: Awaited<ReturnType<typeof client.request>>;
      try {
        res = await client.request(
          "GET",
          url,
          { what: `downloading ${what}`, route: "download" },
          headers,
          (s) => (resuming ? s === 200 || s === 206 : s === 200),
        );
      } catch (e) {
        // Proxying a store, GitLab passes the store's 403/404 on as they are: a resume that
        // meets one (a signature that expired meanwhile) starts over once from a fresh request.
        const refused = e instanceof GitLabError && (e.status === 403 || e.status === 404);
        if (!resuming || !refused || restarted) throw e;
        restarted = true;
        if (file) await truncate(file, 0);
        hash = createHash("sha256");
        received = 0;
        ifRange = undefined;
        continue;
      }
      if (res.status === 206) {
        const range = contentRange(res.headers);
        if (!range || range.start !== received) {
          res.body.resume();
          throw new RunError(
            `the server resumed ${what} at the wrong offset (${res.headers["content-range"]}, wanted ${received})`,
          );
        }
        total = range.total ?? total;
      } else {
        // A 200 is the whole archive again (it changed, or the server ignores ranges): start over.
        if (received > 0) {
          if (file) await truncate(file, 0);
          hash = createHash("sha256");
          received = 0;
        }
        const length = Number(res.headers["content-length"]);
        total =
          Number.isFinite(length) && res.headers["content-length"] !== undefined
            ? length
            : undefined;
      }
      ifRange = validator(res.headers) ?? ifRange;
      sink?.began(received, validator(res.headers), total);
      const stop = () => res.body.destroy(signal?.reason as Error);
      signal?.addEventListener("abort", stop, { once: true });
      const canResume = ifRange !== undefined && res.headers["accept-ranges"] !== "none";

      // Every byte received is written and flushed, even when the connection breaks, so the file
      // and the hash agree on where to resume.
      const out = sink
        ? undefined
        : createWriteStream(file, {
            flags: received > 0 ? "a" : "w",
            highWaterMark: WRITE_BUFFER,
          });
      // A write that fails (a full disk) ends the body's loop; closeFile() reports it.
      out?.on("error", (e) => res.body.destroy(e));
      let broken: unknown;
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          hash.update(chunk);
          received += chunk.length;
          options.progress?.(received, total);
          if (!out) {
            const room = sink?.push(chunk);
            if (room) await room;
          } else if (!out.write(chunk)) await once(out, "drain");
          released(chunk.length);
        }
      } catch (e) {
        broken = e;
      } finally {
        signal?.removeEventListener("abort", stop);
        if (out) await closeFile(out, file);
      }
      signal?.throwIfAborted();
      if (broken) {
        if (!networkError(broken) && !isAborted(broken)) throw broken;
        if (!canResume || resumes >= maxResumes)
          throw new RunError(
            `the connection dropped while downloading ${what} (${(broken as Error).message}) after ${received} bytes`,
            canResume
              ? "try again"
              : "the server sent no validator (ETag or Last-Modified), so the download could not resume",
          );
        resumes++;
        continue;
      }
      if (total !== undefined && received < total) {
        if (!canResume || resumes >= maxResumes)
          throw new RunError(`${what} ended after ${received} of ${total} bytes`);
        resumes++;
        continue;
      }
      if (total !== undefined && received !== total)
        throw new RunError(
          `${what}: received ${received} bytes, but the server announced ${total}`,
        );
      const sha256 = hash.digest("hex");
      // Recent GitLab sends the archive's SHA-256 as its strong ETag: check it when it is there.
      const announced = /^"([0-9a-f]{64})"$/.exec(ifRange ?? "")?.[1];
      if (announced && announced !== sha256)
        throw new RunError(
          `${what} arrived corrupted: its SHA-256 is ${sha256}, GitLab's ETag says ${announced}`,
          "try again",
        );
      return { file, bytes: received, sha256, resumes };
    }
  } catch (e) {
    await rm(file, { force: true });
    unregisterTemporary(file);
    throw e;
  }
}

/**
 * Ends a download's file stream. A write that failed (a full disk) destroyed it: that failure is
 * what the run reports, naming the file, rather than the stream's state.
 */
async function closeFile(out: WriteStream, file: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      if (out.destroyed) return out.errored ? reject(out.errored) : resolve();
      out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  } catch (e) {
    throw new RunError(`could not write ${file}: ${(e as Error).message}`);
  }
}

/** A body cut short: Node reports "aborted" / premature close rather than a socket code. */
function isAborted(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return (
    err?.code === "ERR_STREAM_PREMATURE_CLOSE" ||
    err?.code === "ECONNRESET" ||
    /aborted/i.test(err?.message ?? "")
  );
}
