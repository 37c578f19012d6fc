/**
 * HTTP to GitLab: auth headers, redirects followed by hand (the token goes to GitLab's origin
 * only, never to object storage), retries with jittered exponential backoff under a time budget,
 * keep-alive, proxies (HTTPS_PROXY / NO_PROXY, through @actions/http-client) and a private CA.
 */
import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { text } from "node:stream/consumers";
import { rootCertificates } from "node:tls";
import { HttpClient } from "@actions/http-client";
import { RunError, setting } from "../errors.ts";
import { isJobToken, type Token } from "./auth.ts";
import { type Attempt, GitLabError, gitlabMessage, RetriesExhausted } from "./errors.ts";
import { watchStall } from "./stall.ts";

export interface RetryPolicy {
  /** Most attempts per request, the first included. */
  attempts: number;
  /** First backoff delay; doubled each time, with full jitter. */
  baseMs: number;
  /** Longest single wait. */
  maxDelayMs: number;
  /** Total time one request may spend retrying. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  baseMs: 500,
  maxDelayMs: 30_000,
  budgetMs: 300_000,
};

/** How long a response may go silent before it is given up and retried (input stall-timeout). */
export const DEFAULT_STALL_MS = 30_000;

export interface ClientOptions {
  /** GitLab's API root, no trailing slash. */
  baseUrl: string;
  token: Token;
  caFile?: string;
  retry?: RetryPolicy;
  userAgent?: string;
  /** Told about each retry, e.g. to log it. */
  onRetry?: (message: string) => void;
  /** Most time a response may go without a byte while it is being read (ms). */
  stallMs?: number;
  /** Ends every request in flight, and refuses new ones, with the signal's reason. */
  signal?: AbortSignal;
  /** Told about each HTTP exchange (one line, no credentials, no signed query), e.g. for --verbose. */
  onExchange?: (line: string) => void;
  /** Sleeps between retries; tests may shorten them. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  /** The final URL after redirects. */
  url: string;
  body: IncomingMessage;
}

/** How long a GitLab that never answered is retried before the URL is blamed. */
const CONNECT_BUDGET_MS = 15_000;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 5;

/** A failure worth another attempt, with the server's idea of when (ms), if it gave one. */
export class Retryable extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
  }
}

export class GitLabClient {
  readonly origin: string;
  /** GitLab's web root: the API root without `/api/v4` (it may hold a relative URL root). */
  readonly webRoot: string;
  /** Whether the token is a CI job token, which GitLab accepts on fewer routes. */
  readonly jobToken: boolean;
  readonly #options: ClientOptions;
  readonly #http: HttpClient;
  readonly #retry: RetryPolicy;
  readonly #stallMs: number;
  /** Bodies being received, to end them when the run is cancelled. */
  readonly #live = new Set<IncomingMessage>();
  /** Whether GitLab's origin has answered at all (a refused connection before that is a wrong URL). */
  #reached = false;
  #activity = "starting";
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.origin = new URL(options.baseUrl).origin;
    this.webRoot = options.baseUrl.replace(/\/api\/v4$/, "");
    this.jobToken = isJobToken(options.token);
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms, options.signal));
    this.#http = new HttpClient(options.userAgent ?? "pipeline-artifacts", [], {
      keepAlive: true,
      allowRedirects: false,
      allowRetries: false,
      // Waiting for an answer's headers: the same idle limit as for its body.
      socketTimeout: this.#stallMs,
    });
    if (options.caFile) this.#trust(options.caFile);
    options.signal?.addEventListener(
      "abort",
      () => {
        for (const body of this.#live) body.destroy(options.signal?.reason as Error);
      },
      { once: true },
    );
  }

  /** What the client was last asked to do, for messages: "downloading the artifacts of ...". */
  get activity(): string {
    return this.#activity;
  }

  /** Adds a CA bundle (a self-managed GitLab's private CA) to the agent's trusted roots. */
  #trust(caFile: string): void {
    let ca: Buffer;
    try {
      ca = readFileSync(caFile);
    } catch (e) {
      throw new RunError(
        `cannot read the CA file ${caFile} (CI_SERVER_TLS_CA_FILE): ${(e as Error).message}`,
      );
    }
    const agent = this.#http.getAgent(this.#options.baseUrl) as {
      options?: Record<string, unknown>;
    };
    agent.options = { ...agent.options, ca: [...rootCertificates, ca.toString("utf8")] };
  }

  url(path: string, query?: Record<string, string | number | boolean>): string {
    const url = new URL(`${this.#options.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
    return url.href;
  }

  /**
   * One request, retried on network errors, 429 and 5xx. Resolves with an accepted response
   * (2xx by default) whose body the caller must consume; other answers reject with a
   * GitLabError that says what to do.
   */
  request(
    method: string,
    url: string,
    attempt: Attempt,
    headers: OutgoingHttpHeaders = {},
    accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
  ): Promise<Response> {
    return this.#retrying(attempt, () => this.#checked(method, url, attempt, headers, accept));
  }

  /**
   * GitLab's own first answer, redirects not followed: where a redirect leads is read from its
   * Location, and nothing is sent to that host (a store may refuse what GitLab did not sign).
   */
  peek(method: string, url: string, attempt: Attempt): Promise<Response> {
    return this.#retrying(attempt, () =>
      this.#checked(
        method,
        url,
        attempt,
        {},
        (s) => (s >= 200 && s < 300) || REDIRECTS.has(s),
        false,
      ),
    );
  }

  /** A GET of JSON; reading the body is retried with the request. */
  json<T>(url: string, attempt: Attempt): Promise<{ data: T; headers: IncomingHttpHeaders }> {
    return this.#retrying(attempt, async () => {
      const res = await this.#checked(
        "GET",
        url,
        attempt,
        { Accept: "application/json" },
        (s) => s === 200,
      );
      return { data: await readJson<T>(res), headers: res.headers };
    });
  }

  async #checked(
    method: string,
    url: string,
    attempt: Attempt,
    headers: OutgoingHttpHeaders,
    accept: (status: number) => boolean,
    follow = true,
  ): Promise<Response> {
    const res = await this.#follow(method, url, headers, follow);
    if (accept(res.status)) return res;
    const text = await readText(res.body);
    if (RETRY_STATUS.has(res.status))
      throw new Retryable(`${res.status} ${gitlabMessage(text)}`, retryAfter(res.headers));
    throw new GitLabError(res.status, gitlabMessage(text), attempt, this.#options.token);
  }

  async #retrying<T>(attempt: Attempt, once: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const { signal } = this.#options;
    this.#activity = attempt.what;
    for (let n = 1; ; n++) {
      try {
        signal?.throwIfAborted();
        return await once();
      } catch (e) {
        signal?.throwIfAborted();
        const code = (e as NodeJS.ErrnoException).code;
        if (!this.#reached && code === "ENOTFOUND") throw this.#unreachable(e, n);
        const retryable = e instanceof Retryable ? e : networkError(e);
        if (!retryable) throw e;
        const delay = this.#delay(n, retryable.afterMs);
        // Nothing ever answered: a wrong URL more likely than an outage, so give up soon.
        const budget = this.#reached
          ? this.#retry.budgetMs
          : Math.min(this.#retry.budgetMs, CONNECT_BUDGET_MS);
        if (n >= this.#retry.attempts || Date.now() - started + delay > budget)
          throw this.#reached
            ? new RetriesExhausted(attempt.what, n, retryable.message)
            : this.#unreachable(e, n);
        this.#options.onRetry?.(
          `${attempt.what}: ${retryable.message}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${n + 1} of ${this.#retry.attempts})`,
        );
        await this.#sleep(delay);
      }
    }
  }

  #unreachable(e: unknown, attempts: number): RunError {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === "ENOTFOUND"
        ? `the host ${new URL(this.origin).hostname} does not resolve`
        : `${err.code ?? "no answer"}: ${err.message}${attempts > 1 ? ` (${attempts} attempts)` : ""}`;
    return new RunError(
      `cannot reach GitLab at ${this.#options.baseUrl}: ${why}`,
      `check ${setting("gitlab-url")}, or CI_API_V4_URL / CI_SERVER_URL when it comes from the job`,
      { cause: e },
    );
  }

  /** GitLab's wait if it named one, else full-jitter exponential backoff. */
  #delay(attempt: number, afterMs: number | undefined): number {
    if (afterMs !== undefined) return Math.min(Math.max(afterMs, 0), this.#retry.maxDelayMs);
    const cap = Math.min(this.#retry.maxDelayMs, this.#retry.baseMs * 2 ** (attempt - 1));
    return Math.round(Math.random() * cap);
  }

  /**
   * Sends a request and follows redirects itself: credentials go only to GitLab's origin.
   * (@actions/http-client would forward PRIVATE-TOKEN and JOB-TOKEN to any host it is sent to.)
   */
  async #follow(
    method: string,
    start: string,
    headers: OutgoingHttpHeaders,
    follow = true,
  ): Promise<Response> {
    let url = start;
    let verb = method;
    for (let hop = 0; ; hop++) {
      const target = new URL(url);
      const toGitLab = target.origin === this.origin;
      const sent: OutgoingHttpHeaders = { ...headers };
      if (toGitLab) sent[this.#options.token.header] = this.#options.token.value;
      const began = Date.now();
      const res = await this.#http.request(verb, url, null, sent as Record<string, string>);
      const status = res.message.statusCode ?? 0;
      if (toGitLab) this.#reached = true;
      this.#live.add(res.message);
      res.message.once("close", () => this.#live.delete(res.message));
      if (this.#options.signal?.aborted) res.message.destroy(this.#options.signal.reason as Error);
      this.#options.onExchange?.(exchange(verb, target, toGitLab, headers, res.message, began));
      watchStall(res.message, this.#stallMs, `${verb} ${redacted(target, toGitLab)}`);
      const location = res.message.headers.location;
      if (!follow || !REDIRECTS.has(status) || !location)
        return { status, headers: res.message.headers, url, body: res.message };
      res.message.resume();
      if (hop >= MAX_REDIRECTS) throw new RunError(`too many redirects from ${start}`);
      const next = new URL(location, url);
      if (target.protocol === "https:" && next.protocol !== "https:")
        throw new RunError(
          `GitLab redirected ${target.origin} to an insecure URL (${next.origin}); refusing to follow`,
        );
      if (status === 303 && verb !== "HEAD") verb = "GET";
      url = next.href;
    }
  }
}

/** A URL fit for a log: GitLab's keep their query (page, job); object storage's lose it (a signature). */
const redacted = (url: URL, toGitLab: boolean) =>
  toGitLab ? `${url.pathname}${url.search}` : `${url.origin}${url.pathname}`;

/**
 * `GET /api/v4/projects/42/jobs/1001/artifacts [Range bytes=0-] -> 206, 1.0 MiB, 12 ms`. Object
 * storage URLs lose their query (it holds the signature); GitLab's keep theirs (page, per_page, job).
 */
function exchange(
  verb: string,
  target: URL,
  toGitLab: boolean,
  headers: OutgoingHttpHeaders,
  res: IncomingMessage,
  began: number,
): string {
  const where = toGitLab
    ? `${target.pathname}${target.search}`
    : `${target.origin}${target.pathname}`;
  const range = typeof headers.Range === "string" ? ` [Range ${headers.Range}]` : "";
  const length = res.headers["content-length"];
  const size = length === undefined ? "" : `, ${length} bytes`;
  const to = res.headers.location ? ` to ${new URL(res.headers.location, target).origin}` : "";
  return `${verb} ${where}${range} -> ${res.statusCode}${to}${size}, ${Date.now() - began} ms`;
}

/** Retry-After (seconds or a date), else RateLimit-Reset (unix time) read against the server's Date. */
function retryAfter(headers: IncomingHttpHeaders): number | undefined {
  const after = headers["retry-after"];
  if (typeof after === "string") {
    if (/^\d+$/.test(after.trim())) return Number(after) * 1000;
    const at = Date.parse(after);
    if (!Number.isNaN(at)) return at - (Date.parse(headers.date ?? "") || Date.now());
  }
  const reset = headers["ratelimit-reset"];
  if (typeof reset === "string" && /^\d+$/.test(reset)) {
    const now = Date.parse(headers.date ?? "") || Date.now();
    return Number(reset) * 1000 - now;
  }
  return undefined;
}

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
]);

/** Connection-level failures are worth retrying; everything else is a bug or a refusal. */
export function networkError(e: unknown): Retryable | undefined {
  // The tool's own errors (a cancelled run among them) are never a network's.
  if (e instanceof RunError) return undefined;
  const err = e as NodeJS.ErrnoException;
  if (
    err &&
    typeof err === "object" &&
    (NETWORK_CODES.has(err.code ?? "") || /socket hang up|timeout/i.test(err.message ?? ""))
  )
    return new Retryable(`${err.code ?? "network error"}: ${err.message}`);
  return undefined;
}

/** A whole (small) answer body as text. */
export const readText = (body: IncomingMessage): Promise<string> => text(body);

/** Reads a JSON answer. */
export async function readJson<T>(res: Response): Promise<T> {
  const text = await readText(res.body);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new RunError(
      `GitLab answered ${res.url} with something that is not JSON: ${text.slice(0, 120)}`,
    );
  }
}

/** A wait that a cancelled run cuts short. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", done);
      resolve();
    }, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
