/** The request log tests assert on: every request to either origin, tokens redacted. */
import type { IncomingHttpHeaders } from "node:http";
import type { Origin } from "./faults.ts";
import type { Sent } from "./reply.ts";

export interface LoggedRequest {
  seq: number;
  origin: Origin;
  route: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Request headers, lower-case names, credentials replaced by "[REDACTED]". */
  headers: Record<string, string>;
  /** The Range header, if any. */
  range: string | undefined;
  status: number;
  /** Body bytes the server wrote. */
  bytes: number;
  outcome: Sent["outcome"];
  /** Kinds of the faults applied. */
  faults: string[];
  /** Requests of the same route being answered when this one came in, itself included. */
  concurrent: number;
  /** Set on object-storage requests that carried a GitLab credential. */
  leakedCredential?: string;
}

const SECRET_HEADERS = new Set(["private-token", "job-token", "authorization", "cookie"]);
const SECRET_PARAMS = new Set(["private_token", "job_token", "token", "access_token"]);

/** `scrub` also hides credentials found elsewhere (a token pasted into a URL or another header). */
export function redactHeaders(
  headers: IncomingHttpHeaders,
  scrub: (s: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : value;
    out[name] = SECRET_HEADERS.has(name) ? "[REDACTED]" : scrub(text);
  }
  return out;
}

export function redactQuery(
  params: URLSearchParams,
  scrub: (s: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of params)
    out[name] = SECRET_PARAMS.has(name) ? "[REDACTED]" : scrub(value);
  return out;
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];
  add(entry: Omit<LoggedRequest, "seq">): LoggedRequest {
    const logged = { seq: this.entries.length + 1, ...entry };
    this.entries.push(logged);
    return logged;
  }
  /** Requests matching a filter, e.g. `log.find({ route: "archive" })`. */
  find(
    filter: Partial<Pick<LoggedRequest, "origin" | "route" | "method" | "status">>,
  ): LoggedRequest[] {
    return this.entries.filter((e) =>
      Object.entries(filter).every(([k, v]) => e[k as keyof LoggedRequest] === v),
    );
  }
  /** Object-storage requests that carried a GitLab credential: must stay empty. */
  get leaks(): LoggedRequest[] {
    return this.entries.filter((e) => e.leakedCredential !== undefined);
  }
  clear(): void {
    this.entries.length = 0;
  }
}
