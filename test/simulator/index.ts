/**
 * The GitLab simulator: a GitLab origin and an object-storage origin on 127.0.0.1, serving a
 * scenario, with fault injection, a controllable clock and a request log.
 *
 *   const sim = await startSimulator({ scenario: "test/simulator/scenarios/sample.json" });
 *   sim.apiUrl            // http://127.0.0.1:PORT/api/v4
 *   sim.inject({ route: "archive", kind: "reset", afterBytes: 1000, times: 1 });
 *   sim.clock.advance(30_000);
 *   sim.log.find({ route: "pipeline-jobs" }); sim.log.leaks  // must stay empty
 *   await sim.close();
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Archive, ArchiveStore } from "./archives.ts";
import { type Clock, ManualClock, RealClock } from "./clock.ts";
import {
  type Fault,
  FaultPlan,
  type FaultRule,
  findFault,
  type Origin,
  reachBarrier,
} from "./faults.ts";
import {
  type GitLabState,
  handleGitLab,
  json,
  resolveRoute,
  text,
  unknownRoute,
} from "./gitlab.ts";
import { type LoggedRequest, RequestLog, redactHeaders, redactQuery } from "./log.ts";
import { COUNT_LIMIT } from "./pagination.ts";
import { type Reply, sendReply } from "./reply.ts";
import { buildWorld, loadScenarioFile, type ScenarioSpec, type World } from "./scenario.ts";
import { ObjectStore, s3Error } from "./storage.ts";
import { ciVariables } from "./variables.ts";
import type { ZipEntry, ZipOptions } from "./zip.ts";

export interface SimulatorOptions {
  /** A scenario, or the path of a JSON scenario file. */
  scenario: ScenarioSpec | string;
  /** Overrides the scenario's start time (ISO 8601). */
  startTime?: string;
  /** "manual" (default): time moves only through clock.advance(). "real": wall-clock time. */
  clock?: "manual" | "real";
  host?: string;
  /** Port of the GitLab origin; default a free one. */
  port?: number;
  /** Port of the object-storage origin; default a free one. */
  storagePort?: number;
  /** Lifetime of signed object-storage URLs, in seconds; default 900. */
  signedUrlTtl?: number;
  /** Signed object-storage URLs answer once; a second request with one gets 403 (a one-time CDN token). */
  singleUseUrls?: boolean;
  /** Where built archives are cached; default a folder in the OS temp dir. */
  archiveDir?: string;
  /**
   * Lists longer than this are not counted (no X-Total, X-Total-Pages, rel="last"); default
   * GitLab's 10,000. Benchmarks raise it to compare long listings with and without totals.
   */
  countLimit?: number;
}

export interface Simulator {
  /** GitLab's URL (CI_SERVER_URL). */
  readonly url: string;
  /** The API root (CI_API_V4_URL). */
  readonly apiUrl: string;
  readonly storageUrl: string;
  readonly world: World;
  readonly clock: Clock;
  readonly log: RequestLog;
  readonly faults: FaultPlan;
  /** Emits "request" with each LoggedRequest once it has been answered. */
  readonly events: EventEmitter;
  inject(rule: FaultRule): void;
  /** The archive a job's artifacts are served from. */
  archiveOf(jobId: number): Archive | undefined;
  /** Builds (or finds in the cache) the archive of these files, without serving it yet. */
  buildArchive(artifacts: { files: ZipEntry[]; zip?: ZipOptions }): Promise<Archive>;
  /**
   * Serves `archive` for the job from now on, as if it had been uploaded again: its ETag and
   * object-storage key change (synchronous, so a request-log listener can swap it between two
   * requests).
   */
  setArchive(jobId: number, archive: Archive): void;
  /** Runs the work GitLab defers to background jobs (project artifact deletion); returns how many ran. */
  runBackgroundJobs(): number;
  /**
   * The predefined CI/CD variables the build with this id sees (CI_API_V4_URL, CI_PROJECT_ID,
   * CI_PIPELINE_ID, CI_JOB_TOKEN when the scenario has one for it, ...; on the "18.9" profile
   * CI_UPSTREAM_* in a pipeline started by a trigger job). Throws for an unknown id or a bridge.
   */
  ciVariables(jobId: number): Record<string, string>;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const spec =
    typeof options.scenario === "string" ? loadScenarioFile(options.scenario) : options.scenario;
  const world = buildWorld(options.startTime ? { ...spec, startTime: options.startTime } : spec);
  const clock =
    options.clock === "real" ? new RealClock(world.start) : new ManualClock(world.start);
  const host = options.host ?? "127.0.0.1";

  const archiveStore = new ArchiveStore(options.archiveDir);
  const archives = new Map<number, Archive>();
  for (const job of world.jobs.values())
    if (job.artifacts) archives.set(job.id, await archiveStore.get(job.artifacts));

  const log = new RequestLog();
  const faults = new FaultPlan();
  const events = new EventEmitter();
  const store = new ObjectStore(
    clock,
    options.signedUrlTtl ?? 900,
    () => world.tokens.keys(),
    options.singleUseUrls ?? false,
  );
  const state: GitLabState = {
    world,
    clock,
    archives,
    store,
    webUrl: "",
    storageUrl: "",
    background: [],
    countLimit: options.countLimit ?? COUNT_LIMIT,
  };

  /** Credentials never reach the log, wherever a client put them. */
  const scrub = (text: string) => {
    let out = text;
    for (const token of world.tokens.keys()) out = out.replaceAll(token, "[REDACTED]");
    return out;
  };

  const runBackgroundJobs = () => {
    const jobs = state.background.splice(0);
    for (const job of jobs) job();
    return jobs.length;
  };

  /** Requests being answered now, by route. */
  const serving = new Map<string, number>();
  const serve = (origin: Origin) => async (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const [path = "/", rawQuery = ""] = (req.url ?? "/").split(/\?(.*)/s, 2);
    const query = new URLSearchParams(rawQuery);
    const method = req.method ?? "GET";
    const resolved = origin === "gitlab" ? resolveRoute(world.profile, method, path) : undefined;
    const route = origin === "storage" ? "object" : (resolved?.route.name ?? "unknown");
    const concurrent = (serving.get(route) ?? 0) + 1;
    serving.set(route, concurrent);
    const applied = faults.take({
      origin,
      route,
      method,
      path,
      job: origin === "storage" ? store.jobOf(path) : jobInPath(path),
      ranged: req.headers.range !== undefined,
      query,
    });

    const barrier = findFault(applied, "barrier");
    if (barrier) await reachBarrier(barrier);
    let reply: Reply;
    let leak: string | undefined;
    try {
      leak = origin === "storage" ? store.leakIn(req) : undefined;
      const ignoreRange = findFault(applied, "ignore-range") !== undefined;
      reply =
        faultReply(origin, applied, clock.now()) ??
        (origin === "storage"
          ? store.handle(req, new URL(req.url ?? "/", state.storageUrl), { ignoreRange })
          : resolved
            ? await handleGitLab(state, req, resolved, path, query, ignoreRange)
            : unknownRoute());
    } catch (e) {
      console.error(`simulator: ${method} ${path} failed:`, e);
      reply = json(500, { message: "500 Internal Server Error" });
    }
    // The server's own clock, as GitLab's Date header is GitLab's (RateLimit-Reset is read against it).
    reply.headers.Date = new Date(clock.now()).toUTCString();
    await sendReply(req, res, reply, applied, (sent) => {
      const entry: Omit<LoggedRequest, "seq"> = {
        origin,
        route,
        method,
        path: scrub(path),
        query: redactQuery(query, scrub),
        headers: redactHeaders(req.headers, scrub),
        range: typeof req.headers.range === "string" ? req.headers.range : undefined,
        status: reply.status,
        bytes: sent.bytes,
        outcome: sent.outcome,
        faults: applied.map((f) => f.kind),
        concurrent,
        ...(leak ? { leakedCredential: leak } : {}),
      };
      const logged = log.add(entry);
      events.emit("request", logged);
      return logged;
    });
    serving.set(route, (serving.get(route) ?? 1) - 1);
    if (origin === "gitlab" && options.clock === "real" && state.background.length > 0)
      setTimeout(runBackgroundJobs, 1000).unref();
  };

  const gitlab = createServer(serve("gitlab"));
  const storage = createServer(serve("storage"));
  const listen = (server: Server, port: number | undefined) =>
    new Promise<string>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port ?? 0, host, () =>
        resolve(`http://${host}:${(server.address() as AddressInfo).port}`),
      );
    });
  state.webUrl = await listen(gitlab, options.port);
  try {
    state.storageUrl = await listen(storage, options.storagePort);
  } catch (e) {
    gitlab.close();
    throw e;
  }

  return {
    url: state.webUrl,
    apiUrl: `${state.webUrl}/api/v4`,
    storageUrl: state.storageUrl,
    world,
    clock,
    log,
    faults,
    events,
    inject: (rule) => faults.add(rule),
    archiveOf: (jobId) => archives.get(jobId),
    buildArchive: ({ files, zip }) => archiveStore.get({ files, zip }),
    setArchive(jobId, archive) {
      if (!world.jobs.get(jobId)?.artifacts) throw new Error(`job ${jobId} has no artifacts`);
      archives.set(jobId, archive);
    },
    runBackgroundJobs,
    ciVariables: (jobId) =>
      ciVariables(world, { url: state.webUrl, apiUrl: `${state.webUrl}/api/v4` }, jobId),
    async close() {
      for (const server of [gitlab, storage]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/** Faults that replace the answer entirely, worded as each origin would. */
function faultReply(origin: Origin, faults: Fault[], now: number): Reply | undefined {
  const status = findFault(faults, "status");
  if (status) {
    if (status.body !== undefined) return text(status.status, status.body);
    if (origin === "storage") return storeError(status.status);
    if (status.status === 500) return json(500, { message: "500 Internal Server Error" });
    return html(
      status.status,
      `<!DOCTYPE html>\n<html><head><title>GitLab is not responding (${status.status})</title></head><body><h1>${status.status}</h1><p>Whoops, GitLab is taking too much time to respond.</p></body></html>\n`,
    );
  }
  const rate = findFault(faults, "rate-limit");
  if (rate) {
    // Rack::Attack: a fixed, epoch-aligned window; headers in GitLab's order.
    const period = 60;
    const nowS = Math.floor(now / 1000);
    const retryAfter = rate.retryAfter ?? period - (nowS % period);
    const reset = nowS + retryAfter;
    const limit = rate.limit ?? 600;
    return text(429, "Retry later\n", {
      "Content-Type": "text/plain",
      "RateLimit-Name": "throttle_authenticated_api",
      "RateLimit-Limit": String(limit),
      "RateLimit-Observed": String(limit + 1),
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": String(reset),
      ...(rate.resetOnly ? {} : { "Retry-After": String(retryAfter) }),
      "RateLimit-ResetTime": new Date(reset * 1000).toUTCString(),
    });
  }
  if (findFault(faults, "app-rate-limit"))
    return json(429, {
      message: { error: "This endpoint has been requested too many times. Try again later." },
    });
  return undefined;
}

/** The object store's refusal for a status, worded as S3 words it. */
function storeError(status: number): Reply {
  switch (status) {
    case 403:
      return s3Error(403, "AccessDenied", "Request has expired");
    case 404:
      return s3Error(404, "NoSuchKey", "The specified key does not exist.");
    case 503:
      return s3Error(503, "SlowDown", "Please reduce your request rate.");
    default:
      return s3Error(
        status,
        "InternalError",
        "We encountered an internal error. Please try again.",
      );
  }
}

/** The job a GitLab API path names (`.../jobs/<id>` or `.../jobs/<id>/...`). */
const jobInPath = (path: string): number | undefined => {
  const m = /\/jobs\/(\d+)(?:\/|$)/.exec(path);
  return m ? Number(m[1]) : undefined;
};

function html(status: number, body: string): Reply {
  const buf = Buffer.from(body);
  return {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Content-Length": buf.length },
    body: buf,
  };
}
