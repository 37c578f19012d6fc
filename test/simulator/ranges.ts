/**
 * Serving a stored file with HTTP range and conditional requests, the way Go's
 * http.ServeContent does for Workhorse's local artifacts (and S3 does for objects):
 * Range (one range), If-Range, If-None-Match, If-Modified-Since, HEAD.
 * Several ranges in one request are answered with the whole file, which RFC 9110 allows.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { Reply } from "./reply.ts";

export interface StoredFile {
  size: number;
  open(start: number, end: number): Readable;
  /** Quoted strong ETag, if the server sends one. */
  etag?: string;
  lastModified: Date;
}

export interface ServeOptions {
  /** Answer the whole file although a Range was asked (a fault, or a server without ranges). */
  ignoreRange?: boolean;
  /** How this server words a 416. */
  unsatisfiable(size: number): Reply;
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Whole seconds: HTTP dates have no fractions. */
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export function serveStored(
  req: IncomingMessage,
  file: StoredFile,
  headers: OutgoingHttpHeaders,
  options: ServeOptions,
): Reply {
  const base: OutgoingHttpHeaders = {
    ...headers,
    "Accept-Ranges": "bytes",
    "Last-Modified": file.lastModified.toUTCString(),
    ...(file.etag ? { ETag: file.etag } : {}),
  };

  const ifNoneMatch = header(req, "if-none-match");
  const ifModifiedSince = header(req, "if-modified-since");
  const notModified = ifNoneMatch
    ? file.etag !== undefined &&
      ifNoneMatch
        .split(",")
        .some((t) => t.trim() === "*" || t.trim().replace(/^W\//, "") === file.etag)
    : ifModifiedSince !== undefined &&
      seconds(file.lastModified) <= Date.parse(ifModifiedSince) / 1000;
  if (notModified) {
    const { "Content-Type": _, "Content-Disposition": __, ...rest } = base;
    return { status: 304, headers: rest };
  }

  const whole: Reply = {
    status: 200,
    headers: { ...base, "Content-Length": file.size },
    body: { length: file.size, open: () => file.open(0, file.size - 1) },
  };
  if (file.size === 0) whole.body = Buffer.alloc(0);

  const range = header(req, "range");
  if (!range || options.ignoreRange || !ifRangeHolds(header(req, "if-range"), file)) return whole;
  const parsed = parseRange(range, file.size);
  if (parsed === "whole") return whole;
  if (parsed === "unsatisfiable") return options.unsatisfiable(file.size);
  const [start, end] = parsed;
  return {
    status: 206,
    headers: {
      ...base,
      "Content-Range": `bytes ${start}-${end}/${file.size}`,
      "Content-Length": end - start + 1,
    },
    body: { length: end - start + 1, open: () => file.open(start, end) },
  };
}

/** If-Range: a strong ETag that matches, or the exact Last-Modified date. */
function ifRangeHolds(ifRange: string | undefined, file: StoredFile): boolean {
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith("W/")) return ifRange === file.etag;
  return Date.parse(ifRange) / 1000 === seconds(file.lastModified);
}

/** One `bytes=` range -> inclusive [start, end]; several ranges -> "whole". */
export function parseRange(
  value: string,
  size: number,
): [number, number] | "whole" | "unsatisfiable" {
  const m = /^bytes=(.*)$/.exec(value.trim());
  if (!m?.[1]) return "unsatisfiable";
  const specs = m[1].split(",").map((s) => s.trim());
  if (specs.length > 1) return "whole";
  const spec = /^(\d*)-(\d*)$/.exec(specs[0] ?? "");
  if (!spec || (spec[1] === "" && spec[2] === "")) return "unsatisfiable";
  if (spec[1] === "") {
    const suffix = Number(spec[2]);
    if (suffix === 0) return "unsatisfiable";
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(spec[1]);
  const end = spec[2] === "" ? size - 1 : Math.min(Number(spec[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return [start, end];
}
