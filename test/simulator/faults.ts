/**
 * Fault injection. A test adds rules; each request that matches a rule's filter (after the
 * rule's `skip` first matches, for `times` matches) gets the rule's fault. Faults that replace
 * the answer (status, rate limits) are decided before the route runs; faults on the body
 * (throughput, reset, stall, truncation, corruption) shape the bytes as they are sent.
 */
export type Fault =
  /** Wait before answering: models round-trip time. */
  | { kind: "latency"; ms: number }
  /** Send the body no faster than this. */
  | { kind: "throughput"; bytesPerSecond: number }
  /**
   * Answer with this status instead (a 5xx burst is `times: N`). On the object store, 403 is
   * S3's expired signature (AccessDenied "Request has expired") and 404 a missing object
   * (NoSuchKey); a proxied download passes them through GitLab unchanged.
   */
  | { kind: "status"; status: number; body?: string }
  /**
   * Rack::Attack throttling: 429, text/plain "Retry later", Retry-After and RateLimit-* headers.
   * `resetOnly` leaves Retry-After out (a proxy in front of GitLab that drops it), so only
   * RateLimit-Reset says when to come back.
   */
  | { kind: "rate-limit"; retryAfter?: number; limit?: number; resetOnly?: boolean }
  /** Application rate limit: 429 JSON, no Retry-After. */
  | { kind: "app-rate-limit" }
  /** Reset the connection (RST) after this many body bytes. */
  | { kind: "reset"; afterBytes: number }
  /** Stop sending after this many body bytes and hold the connection open. */
  | { kind: "stall"; afterBytes: number }
  /** Close the connection cleanly (FIN) after this many body bytes, short of Content-Length. */
  | { kind: "truncate"; afterBytes: number }
  /** Flip the bits of the body byte at this offset. */
  | { kind: "corrupt"; atByte: number }
  /** Answer 200 with the whole body although a Range was asked. */
  | { kind: "ignore-range" }
  /**
   * Hold each matching request until `count` of them have arrived, then answer them all: clients
   * that a test needs at the same point at once (a barrier, not a delay).
   */
  | { kind: "barrier"; count: number };

export type Origin = "gitlab" | "storage";

export interface FaultFilter {
  origin?: Origin;
  /** Route name, e.g. "pipeline-jobs", "archive", "artifact-file", "object". */
  route?: string;
  method?: string;
  /** Matched against the path (without query). */
  path?: string | RegExp;
  /**
   * Only requests about this job: on GitLab, a path naming `/jobs/<id>`; on the object store,
   * a request for that job's archive (direct or proxied through GitLab).
   */
  job?: number;
  /**
   * true: only requests that carry a Range header (a resumed or partial download); false:
   * only requests without one.
   */
  ranged?: boolean;
  /** Only requests whose query has these parameters: each its value, or a value the pattern matches. */
  query?: Record<string, string | RegExp>;
  /** Let this many matching requests through untouched first. Default 0. */
  skip?: number;
  /** Apply to this many matching requests, then stop. Default: all. */
  times?: number;
}

export type FaultRule = FaultFilter & Fault;

export interface RequestFacts {
  origin: Origin;
  route: string;
  method: string;
  path: string;
  job: number | undefined;
  ranged: boolean;
  query: URLSearchParams;
}

interface ActiveRule {
  rule: FaultRule;
  seen: number;
}

export class FaultPlan {
  readonly #rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.#rules.push({ rule, seen: 0 });
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The faults for one request; counts the request against every rule it matches. */
  take(facts: RequestFacts): Fault[] {
    const faults: Fault[] = [];
    for (const active of this.#rules) {
      const { rule } = active;
      if (!matches(rule, facts)) continue;
      const n = active.seen++;
      const skip = rule.skip ?? 0;
      if (n >= skip && n < skip + (rule.times ?? Number.POSITIVE_INFINITY)) faults.push(rule);
    }
    return faults;
  }
}

function matches(rule: FaultFilter, facts: RequestFacts): boolean {
  if (rule.origin && rule.origin !== facts.origin) return false;
  if (rule.route && rule.route !== facts.route) return false;
  if (rule.method && rule.method.toUpperCase() !== facts.method) return false;
  if (rule.path !== undefined && !fits(rule.path, facts.path)) return false;
  if (rule.job !== undefined && rule.job !== facts.job) return false;
  if (rule.ranged !== undefined && rule.ranged !== facts.ranged) return false;
  for (const [name, want] of Object.entries(rule.query ?? {})) {
    const value = facts.query.get(name);
    if (value === null || !fits(want, value)) return false;
  }
  return true;
}

/** A filter's text: that value exactly, or a value the pattern matches. */
const fits = (want: string | RegExp, value: string): boolean =>
  typeof want === "string" ? value === want : want.test(value);

const barriers = new WeakMap<Fault, { arrived: number; open: () => void; opened: Promise<void> }>();

/** Resolves once `count` requests have reached this barrier (the same rule). */
export function reachBarrier(fault: Extract<Fault, { kind: "barrier" }>): Promise<void> {
  let state = barriers.get(fault);
  if (!state) {
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    state = { arrived: 0, open, opened };
    barriers.set(fault, state);
  }
  if (++state.arrived >= fault.count) state.open();
  return state.opened;
}

export const findFault = <K extends Fault["kind"]>(faults: Fault[], kind: K) =>
  faults.find((f): f is Extract<Fault, { kind: K }> => f.kind === kind);
