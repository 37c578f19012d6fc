/**
 * The GitLab origin: the REST routes pipeline-artifacts uses, answering as GitLab does to the
 * status code, header and body. Facts come from ../shared/docs/gitlab-api.md and GitLab's source.
 */
import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { basename } from "node:path";
import { Readable } from "node:stream";
import type { Archive } from "./archives.ts";
import { findEntry, openRange } from "./archives.ts";
import {
  ApiError,
  authenticate,
  type Caller,
  canRead,
  findProject,
  forbidden,
  mayUpdateRef,
  requireScope,
  roleIn,
  unauthorized,
} from "./auth.ts";
import type { Clock } from "./clock.ts";
import {
  bridgeEntity,
  jobEntity,
  jobTimes,
  pipelineBasic,
  pipelineEntity,
  type View,
} from "./entities.ts";
import { pageParams, paginate, rejectInvalid } from "./pagination.ts";
import { serveStored } from "./ranges.ts";
import type { BodySource, Reply } from "./reply.ts";
import {
  type Artifacts,
  archiveOf,
  hasDownloadableArtifacts,
  isDownloadable,
  isExpired,
  isLocked,
  JOB_STATUSES,
  type Job,
  type JobStatus,
  type JobTokenPolicy,
  latestSuccessful,
  PIPELINE_SOURCES,
  pipelineStatus,
  type Pipeline,
  type Profile,
  type Project,
  roleAtLeast,
  selfAndDescendants,
  statusAt,
  type World,
} from "./scenario.ts";
import type { ObjectStore } from "./storage.ts";
import { listTree } from "./tree.ts";

export interface GitLabState {
  world: World;
  clock: Clock;
  /** Built archives by job id. */
  archives: Map<number, Archive>;
  store: ObjectStore;
  /** This origin's URL (also GitLab's external URL), e.g. http://127.0.0.1:41234 */
  webUrl: string;
  storageUrl: string;
  /** Work GitLab does later (Sidekiq): run by the simulator's runBackgroundJobs(). */
  background: (() => void)[];
  /** Lists longer than this get no X-Total, X-Total-Pages nor rel="last". */
  countLimit: number;
}

interface Context {
  state: GitLabState;
  req: IncomingMessage;
  /** The raw path, as sent (percent-encoded, dot segments kept). */
  path: string;
  query: URLSearchParams;
  now: number;
  view: View;
  ignoreRange: boolean;
  /** Captures of the route pattern. */
  params: string[];
  /** The route's fine-grained job token permission. */
  policy: JobTokenPolicy | undefined;
}

interface Route {
  name: string;
  method: "GET" | "POST" | "DELETE";
  pattern: RegExp;
  /** Whether this route, in this GitLab version, authenticates CI job tokens. */
  jobToken: (profile: Profile) => boolean;
  /** The fine-grained job token permission the route needs (`route_setting :authorization, job_token_policies:`). */
  jobTokenPolicy?: JobTokenPolicy;
  available?: (profile: Profile) => boolean;
  handle(ctx: Context): Reply | Promise<Reply>;
}

const always = () => true;
const P = "/api/v4/projects/([^/]+)";

// ---- replies -----------------------------------------------------------------------------

function baseHeaders(): Record<string, string> {
  const id = randomBytes(13).toString("hex").toUpperCase().slice(0, 26);
  return {
    "Cache-Control": "max-age=0, private, must-revalidate",
    Vary: "Origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Gitlab-Meta": JSON.stringify({ correlation_id: id, version: "1" }),
    "X-Request-Id": id,
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  const buf = Buffer.from(JSON.stringify(body));
  return {
    status,
    headers: {
      ...baseHeaders(),
      ...(status === 200 ? { ETag: `W/"${createHash("md5").update(buf).digest("hex")}"` } : {}),
      ...headers,
      "Content-Type": "application/json",
      "Content-Length": buf.length,
    },
    body: buf,
  };
}

export const errorReply = (e: ApiError): Reply =>
  typeof e.body === "string"
    ? text(e.status, e.body, e.headers)
    : json(e.status, e.body, e.headers);

export function text(status: number, body: string, headers: Record<string, string> = {}): Reply {
  const buf = Buffer.from(body);
  return {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      ...headers,
      "Content-Length": buf.length,
    },
    body: buf,
  };
}

const notFound = (what?: string) =>
  new ApiError(404, { message: what ? `404 ${what} Not Found` : "404 Not Found" });
/** ActiveRecord::RecordNotFound, rescued by the API with a lower-case "found". */
const recordNotFound = () => new ApiError(404, { message: "404 Not found" });
const badRequest = () => new ApiError(400, { message: "400 Bad request" });
/** Go's http.NotFound, written by Workhorse when an archive entry is missing. */
const workhorseNotFound = () =>
  new ApiError(404, "404 page not found\n", { "X-Content-Type-Options": "nosniff" });

// ---- helpers shared by routes ------------------------------------------------------------

function caller(ctx: Context, route: Route, write: boolean): Caller {
  const c = authenticate(
    ctx.state.world,
    ctx.now,
    ctx.req,
    ctx.query,
    route.jobToken(ctx.state.world.profile),
  );
  // `authenticate_non_get!`: writes need someone to be signed in.
  if (write && c.kind === "anonymous") throw unauthorized();
  requireScope(c, write);
  return c;
}

function integerParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new ApiError(400, { error: `${name} is invalid` });
  return Number(value);
}

function projectOf(ctx: Context, c: Caller): Project {
  return findProject(ctx.state.world, c, decodeURIComponent(ctx.params[0] ?? ""), ctx.policy);
}

/** `find_build!`: a build of this project (a bridge is not a build). */
function findBuild(ctx: Context, project: Project, raw: string | undefined): Job {
  const job = ctx.state.world.jobs.get(integerParam(raw, "job_id"));
  if (job?.kind !== "build" || job.pipeline.project !== project) throw recordNotFound();
  return job;
}

function findPipeline(ctx: Context, project: Project): Pipeline {
  const pipeline = ctx.state.world.pipelines.get(integerParam(ctx.params[1], "pipeline_id"));
  if (!pipeline || pipeline.project !== project) throw recordNotFound();
  return pipeline;
}

/** `authorize_read_job_artifacts!`: `artifacts:access` may narrow who downloads. */
function authorizeArtifacts(c: Caller, project: Project, job: Job): void {
  if (!canRead(c, project)) throw forbidden();
  const access = job.artifacts?.access ?? "all";
  if (
    access === "none" ||
    (access === "developer" && !roleAtLeast(roleIn(c, project), "developer"))
  )
    throw forbidden();
}

interface PipelineQuery {
  scope: string | undefined;
  status: string | undefined;
  ref: string | undefined;
  sha: string | undefined;
  source: string | undefined;
  orderBy: string;
  sort: string;
}

/** `GET /projects/:id/pipelines`' parameters as Grape declares them (values, defaults). */
function pipelineQuery(query: URLSearchParams, errors: string[]): PipelineQuery {
  const pick = (name: string, values?: readonly string[]) => {
    const v = query.get(name) ?? undefined;
    if (v !== undefined && values && !values.includes(v))
      errors.push(`${name} does not have a valid value`);
    return v;
  };
  return {
    scope: pick("scope", ["running", "pending", "finished", "branches", "tags"]),
    status: pick("status", JOB_STATUSES),
    ref: pick("ref"),
    sha: pick("sha"),
    source: pick("source", PIPELINE_SOURCES),
    orderBy: pick("order_by", ["id", "status", "ref", "updated_at", "user_id"]) ?? "id",
    sort: pick("sort", ["asc", "desc"]) ?? "desc",
  };
}

/**
 * `Ci::PipelinesFinder#execute`: every source but child pipelines (unless `source` asks for
 * them), then the filters, then the order. (Merge request pipelines of a branch, which newer
 * versions add to `ref`'s results, are not modelled: the simulator has no merge requests.)
 */
function pipelinesOf(project: Project, q: PipelineQuery, view: View): Pipeline[] {
  const status = (p: Pipeline) => pipelineStatus(p, view.now);
  let rows = project.pipelines.filter(
    (p) =>
      (q.source === "parent_pipeline" || p.source !== "parent_pipeline") &&
      (q.source === undefined || p.source === q.source) &&
      (q.status === undefined || status(p) === q.status) &&
      (q.ref === undefined || q.ref === "" || p.ref === q.ref) &&
      (q.sha === undefined || q.sha === "" || p.sha === q.sha),
  );
  const finished = new Set(["success", "failed", "canceled", "skipped"]);
  if (q.scope === "running" || q.scope === "pending")
    rows = rows.filter((p) => status(p) === q.scope);
  else if (q.scope === "finished") rows = rows.filter((p) => finished.has(status(p)));
  else if (q.scope === "branches" || q.scope === "tags") {
    // The newest pipeline of each branch (tag) name.
    const newest = new Map<string, Pipeline>();
    for (const p of rows)
      if (p.tag === (q.scope === "tags") && p.id > (newest.get(p.ref)?.id ?? 0))
        newest.set(p.ref, p);
    rows = [...newest.values()];
  }
  const key = (p: Pipeline): string | number =>
    q.orderBy === "status"
      ? status(p)
      : q.orderBy === "ref"
        ? p.ref
        : q.orderBy === "updated_at"
          ? (pipelineBasic(p, view).updated_at ?? "")
          : q.orderBy === "user_id"
            ? p.user.id
            : p.id;
  const sign = q.sort.toLowerCase() === "asc" ? 1 : -1;
  return rows.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return sign * (x < y ? -1 : x > y ? 1 : 0) || sign * (a.id - b.id);
  });
}

/** `scope` or `scope[]`: one status or several. */
function scopeParam(query: URLSearchParams, errors: string[]): Set<JobStatus> | undefined {
  const values = [...query.getAll("scope"), ...query.getAll("scope[]")];
  if (values.length === 0) return undefined;
  if (!values.every((v) => (JOB_STATUSES as readonly string[]).includes(v))) {
    errors.push("scope does not have a valid value");
    return undefined;
  }
  return new Set(values as JobStatus[]);
}

const BOOLEAN_TRUE = new Set(["true", "1", "t", "yes", "y", "on"]);
const BOOLEAN_FALSE = new Set(["false", "0", "f", "no", "n", "off"]);

function booleanParam(query: URLSearchParams, name: string, errors: string[]): boolean {
  const raw = query.get(name);
  if (raw === null) return false;
  if (BOOLEAN_TRUE.has(raw.toLowerCase())) return true;
  if (BOOLEAN_FALSE.has(raw.toLowerCase())) return false;
  errors.push(`${name} is invalid`);
  return false;
}

/**
 * Link URLs: the request's path on GitLab's configured host, the query rebuilt from Grape's
 * params — everything sent, with declared params (route params, defaults) as coerced values —
 * keys sorted, like Rails' Hash#to_query.
 */
function pageUrlFor(ctx: Context, declared: Record<string, string>) {
  return (page: number, perPage: number) => {
    const all = new Map<string, string[]>();
    for (const [k, v] of ctx.query) all.set(k, [...(all.get(k) ?? []), v]);
    for (const [k, v] of Object.entries(declared)) all.set(k, [v]);
    all.set("page", [String(page)]);
    all.set("per_page", [String(perPage)]);
    const query = [...all.keys()]
      .sort()
      .flatMap((k) => (all.get(k) ?? []).map((v) => `${encodeQuery(k)}=${encodeQuery(v)}`))
      .join("&");
    return `${ctx.state.webUrl}${ctx.path}?${query}`;
  };
}

/** CGI.escape: spaces as +, everything but [A-Za-z0-9_.-~] percent-encoded. */
const encodeQuery = (s: string) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");

function listing<T>(
  ctx: Context,
  rows: T[],
  declared: Record<string, string>,
  errors: string[],
  present: (row: T) => unknown,
): Reply {
  const pageReq = pageParams(ctx.query, errors);
  rejectInvalid(errors);
  const href = pageUrlFor(ctx, declared);
  const page = paginate(rows, pageReq, (n) => href(n, pageReq.perPage), ctx.state.countLimit);
  return json(200, page.items.map(present), page.headers);
}

// ---- archive serving ---------------------------------------------------------------------

const ARCHIVE_NAME = "artifacts.zip";
const attachment = (name: string) =>
  `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`;

function uploadedAt(job: Job, now: number): number {
  return jobTimes(job, now).finished ?? now;
}

async function serveArchive(ctx: Context, job: Job): Promise<Reply> {
  const artifacts = archiveOf(job, ctx.now);
  const archive = ctx.state.archives.get(job.id);
  if (!artifacts || !archive) throw notFound();
  const { state } = ctx;
  switch (artifacts.storage) {
    case "local":
      return serveStored(
        ctx.req,
        {
          size: archive.size,
          open: (start, end) => openRange(archive, start, end),
          ...(state.world.profile.archiveEtag ? { etag: `"${archive.sha256}"` } : {}),
          lastModified: new Date(uploadedAt(job, ctx.now)),
        },
        {
          ...baseHeaders(),
          "Content-Type": "application/octet-stream",
          "Content-Disposition": attachment(ARCHIVE_NAME),
          "Content-Transfer-Encoding": "binary",
        },
        {
          ignoreRange: ctx.ignoreRange,
          unsatisfiable: (size) =>
            text(416, "invalid range: failed to overlap\n", { "Content-Range": `bytes */${size}` }),
        },
      );
    case "object": {
      // lib/api/helpers.rb `present_carrierwave_file!`: a HEAD is redirected to a URL signed
      // for HEAD (`ObjectStorage::S3.signed_head_url`) only when the store's provider is AWS;
      // other stores get the URL signed for GET, which they may refuse to a HEAD.
      const head = ctx.req.method === "HEAD" && state.world.storeProvider === "AWS";
      const url = signedUrl(ctx, job, artifacts, archive, head ? "HEAD" : "GET");
      // Grape's redirect: 302 for GET, 303 for any other method over HTTP/1.1 (HEAD included).
      const get = ctx.req.method === "GET";
      const body = Buffer.from(
        get
          ? `This resource has been moved temporarily to ${url}.`
          : `An alternate resource is located at ${url}.`,
      );
      return {
        status: get ? 302 : 303,
        headers: {
          ...baseHeaders(),
          Location: url,
          "Content-Type": "text/plain",
          "Content-Length": body.length,
        },
        body,
      };
    }
    case "proxy":
      // Proxied downloads always fetch with GET, whatever the client's method.
      return proxyFromStore(ctx, signedUrl(ctx, job, artifacts, archive, "GET"));
  }
}

function signedUrl(
  ctx: Context,
  job: Job,
  artifacts: Artifacts,
  archive: Archive,
  method: "GET" | "HEAD",
): string {
  return ctx.state.store.signedUrl(ctx.state.storageUrl, archive, {
    jobId: job.id,
    missing: artifacts.missingInStore,
    filename: ARCHIVE_NAME,
    uploadedAt: uploadedAt(job, ctx.now),
    method,
  });
}

/** workhorse/internal/sendurl/sendurl.go `rangeHeaderKeys`, lower-cased. */
const PASSED_TO_STORE = [
  "if-match",
  "if-unmodified-since",
  "if-none-match",
  "if-modified-since",
  "if-range",
  "range",
];
/** `preserveHeaderKeys`: Rails' answer keeps these; hop-by-hop headers are the connection's. */
const KEPT_FROM_GITLAB = new Set(["cache-control", "expires", "date", "pragma"]);
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding"]);

/**
 * Workhorse's send-url (workhorse/internal/sendurl/sendurl.go): GitLab GETs the object (also
 * for a client's HEAD) with the client's Range and conditional headers, and copies the store's
 * status, headers and body VERBATIM: a store 403 (expired signature) or 404 (missing object)
 * reaches the client as that 403 or 404 with the store's XML. Only a request that fails
 * outright is Workhorse's own 500 (`helper.Fail500`).
 */
function proxyFromStore(ctx: Context, url: string): Promise<Reply> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_TO_STORE) {
    const v = ctx.req.headers[name];
    if (typeof v === "string" && !(name === "range" && ctx.ignoreRange)) headers[name] = v;
  }
  return new Promise((resolve) => {
    const upstream = httpRequest(url, { method: "GET", headers }, (res) => {
      const out: Record<string, string | string[]> = baseHeaders();
      for (const [name, value] of Object.entries(res.headers))
        if (value !== undefined && !KEPT_FROM_GITLAB.has(name) && !HOP_BY_HOP.has(name))
          out[name] = value;
      if (ctx.req.method === "HEAD") {
        upstream.destroy();
        resolve({ status: res.statusCode ?? 502, headers: out });
        return;
      }
      const length = Number(res.headers["content-length"] ?? 0);
      resolve({ status: res.statusCode ?? 502, headers: out, body: { length, open: () => res } });
    });
    upstream.on("error", () => resolve(text(500, "Internal server error\n")));
    upstream.end();
  });
}

/** Go's mime.TypeByExtension for the types artifacts usually hold. */
const MIME: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".gif": "image/gif",
  ".htm": "text/html; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".jpeg": "image/jpeg",
  ".jpg": "image/jpeg",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".mjs": "text/javascript; charset=utf-8",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".webp": "image/webp",
  ".xml": "text/xml; charset=utf-8",
  ".zip": "application/zip",
  ".gz": "application/gzip",
};

const extensionType = (name: string) =>
  MIME[/\.[^./]*$/.exec(name)?.[0].toLowerCase() ?? ""] ?? "application/octet-stream";

/** http.DetectContentType's answer, narrowed as Workhorse's SafeContentHeaders does. */
function sniffedType(head: Buffer): string {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return "image/png";
  if (head.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return "image/jpeg";
  if (head.subarray(0, 5).toString("latin1") === "%PDF-") return "application/pdf";
  if (head.subarray(0, 4).toString("latin1") === "PK\x03\x04") return "application/zip";
  if (/^\s*<svg[\s>]/i.test(head.toString("utf8"))) return "image/svg+xml";
  const binary = head.some((b) => b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b));
  return binary ? "application/octet-stream" : "text/plain; charset=utf-8";
}

/**
 * Workhorse's artifacts-entry: one file out of the archive, exact name, first match,
 * Content-Length the uncompressed size, no ranges. `sniff` is the ref `raw` route's behaviour.
 */
async function serveEntry(ctx: Context, job: Job, rawPath: string, sniff: boolean): Promise<Reply> {
  const archive = ctx.state.archives.get(job.id);
  if (!archive) throw workhorseNotFound();
  let entry: Awaited<ReturnType<typeof findEntry>>;
  try {
    entry = await findEntry(archive, rawPath);
  } catch {
    return text(500, "Internal server error\n");
  }
  if (!entry) throw workhorseNotFound();
  const found = entry;
  let type = extensionType(rawPath);
  let first: Buffer | undefined;
  const stream = await found.open();
  if (sniff) {
    first = await readHead(stream, 4096);
    type = sniffedType(first.subarray(0, 512));
  }
  const name = basename(rawPath).replace(/[\\"]/g, (c) => `\\${c}`);
  const head = first;
  const body: BodySource = {
    length: found.size,
    open: () => {
      stream.once("close", () => found.close());
      if (!head) return stream;
      // The sniffed bytes were read off the stream: send them first.
      return Readable.from(
        (async function* () {
          yield head;
          yield* stream;
        })(),
      );
    },
  };
  return {
    status: 200,
    headers: {
      ...baseHeaders(),
      "Content-Length": found.size,
      "Content-Type": type,
      "Content-Disposition": `attachment; filename="${name}"`,
    },
    body: ctx.req.method === "HEAD" ? undefined : body,
  };
}

function readHead(stream: Readable, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      stream.off("readable", onReadable);
      stream.off("end", done);
      stream.off("error", reject);
      resolve(Buffer.concat(chunks));
    };
    const onReadable = () => {
      while (size < max) {
        const chunk = stream.read() as Buffer | null;
        if (chunk === null) break;
        chunks.push(chunk);
        size += chunk.length;
      }
      if (size >= max) done();
    };
    stream.on("readable", onReadable);
    stream.on("end", done);
    stream.on("error", reject);
  });
}

/** `Gitlab::Ci::Build::Artifacts::Path#valid?`: UTF-8 without NUL. Returns the decoded path. */
function artifactPath(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw badRequest();
  }
  if (decoded.includes("\0") || decoded.includes("\uFFFD")) throw badRequest();
  return decoded;
}

// ---- routes ------------------------------------------------------------------------------

const ROUTES: Route[] = [
  {
    name: "job",
    method: "GET",
    pattern: /^\/api\/v4\/job$/,
    jobToken: always,
    handle(ctx) {
      const c = caller(ctx, this, false);
      if (c.kind === "anonymous") throw unauthorized();
      const job = c.viaJobToken ? ctx.state.world.jobs.get(c.token.job ?? -1) : undefined;
      if (!job) throw notFound("Job");
      return json(200, jobEntity(job, ctx.view));
    },
  },
  {
    // lib/api/ci/pipelines.rb `get ':id/pipelines'` and app/finders/ci/pipelines_finder.rb. Job
    // tokens are accepted (job_token_policies: :read_pipelines) only by the newest versions.
    name: "pipelines",
    method: "GET",
    pattern: new RegExp(`^${P}/pipelines$`),
    jobToken: (p) => p.pipelinesWithJobToken,
    jobTokenPolicy: "read_pipelines",
    handle(ctx) {
      const c = caller(ctx, this, false);
      const errors: string[] = [];
      const q = pipelineQuery(ctx.query, errors);
      pageParams(ctx.query, errors);
      rejectInvalid(errors);
      const project = projectOf(ctx, c);
      // `authorize! :read_pipeline` and `authorize! :read_build`.
      if (!canRead(c, project)) throw forbidden();
      const rows = pipelinesOf(project, q, ctx.view);
      return listing(
        ctx,
        rows,
        {
          id: decodeURIComponent(ctx.params[0] ?? ""),
          order_by: q.orderBy,
          sort: q.sort,
        },
        [],
        (p) => ({ ...pipelineBasic(p, ctx.view), name: null }),
      );
    },
  },
  {
    name: "pipeline",
    method: "GET",
    pattern: new RegExp(`^${P}/pipelines/([^/]+)$`),
    jobToken: (p) => p.pipelinesWithJobToken,
    jobTokenPolicy: "read_pipelines",
    handle(ctx) {
      const c = caller(ctx, this, false);
      const project = projectOf(ctx, c);
      if (!canRead(c, project)) throw forbidden();
      return json(200, pipelineEntity(findPipeline(ctx, project), ctx.view));
    },
  },
  {
    name: "pipeline-jobs",
    method: "GET",
    pattern: new RegExp(`^${P}/pipelines/([^/]+)/jobs$`),
    jobToken: (p) => p.listJobsWithJobToken,
    jobTokenPolicy: "read_jobs",
    handle(ctx) {
      const c = caller(ctx, this, false);
      // Grape validates parameters before the endpoint looks anything up.
      const errors: string[] = [];
      const pipelineId = integerParam(ctx.params[1], "pipeline_id");
      const scope = scopeParam(ctx.query, errors);
      const includeRetried = booleanParam(ctx.query, "include_retried", errors);
      pageParams(ctx.query, errors);
      rejectInvalid(errors);
      const project = projectOf(ctx, c);
      const pipeline = findPipeline(ctx, project);
      // Ci::JobsFinder answers an empty list, not 403, to someone who may not read builds.
      const rows = canRead(c, project)
        ? pipeline.jobs
            .filter((j) => j.kind === "build" && (includeRetried || !j.retried))
            .filter((j) => !scope || scope.has(statusAt(j, ctx.now)))
            .sort((a, b) => b.id - a.id)
        : [];
      return listing(
        ctx,
        rows,
        {
          id: decodeURIComponent(ctx.params[0] ?? ""),
          pipeline_id: String(pipelineId),
          include_retried: String(includeRetried),
        },
        [],
        (j) => jobEntity(j, ctx.view),
      );
    },
  },
  ...(["bridges", "trigger_jobs"] as const).map((segment): Route => ({
    name: segment === "bridges" ? "pipeline-bridges" : "pipeline-trigger-jobs",
    method: "GET",
    pattern: new RegExp(`^${P}/pipelines/([^/]+)/${segment}$`),
    jobToken: (p) => p.pipelinesWithJobToken,
    // Assumed: the stored GitLab source does not let job tokens list bridges yet.
    jobTokenPolicy: "read_jobs",
    available: segment === "trigger_jobs" ? (p) => p.triggerJobsAlias : always,
    handle(ctx) {
      const c = caller(ctx, this, false);
      const errors: string[] = [];
      const pipelineId = integerParam(ctx.params[1], "pipeline_id");
      const scope = scopeParam(ctx.query, errors);
      pageParams(ctx.query, errors);
      rejectInvalid(errors);
      const project = projectOf(ctx, c);
      if (!canRead(c, project)) throw forbidden();
      const pipeline = findPipeline(ctx, project);
      const rows = pipeline.jobs
        .filter((j) => j.kind === "bridge" && !j.retried)
        .filter((j) => !scope || scope.has(statusAt(j, ctx.now)))
        .sort((a, b) => b.id - a.id);
      return listing(
        ctx,
        rows,
        { id: decodeURIComponent(ctx.params[0] ?? ""), pipeline_id: String(pipelineId) },
        [],
        (j) => bridgeEntity(j, ctx.view),
      );
    },
  })),
  {
    name: "ref-file",
    method: "GET",
    pattern: new RegExp(`^${P}/jobs/artifacts/(.+)/raw/(.+)$`),
    jobToken: always,
    jobTokenPolicy: "read_jobs",
    async handle(ctx) {
      const job = refJob(ctx, this);
      const path = artifactPath(ctx.params[2] ?? "");
      // The chosen job may have reports but no archive. (GitLab's send_artifacts_entry is then
      // handed a nil file; gitlab-api.md documents the answer as a 404.)
      if (!archiveOf(job, ctx.now)) throw notFound();
      return serveEntry(ctx, job, path, true);
    },
  },
  {
    name: "ref-archive",
    method: "GET",
    pattern: new RegExp(`^${P}/jobs/artifacts/(.+)/download$`),
    jobToken: always,
    jobTokenPolicy: "read_jobs",
    handle(ctx) {
      return serveArchive(ctx, refJob(ctx, this));
    },
  },
  {
    name: "archive",
    method: "GET",
    pattern: new RegExp(`^${P}/jobs/([^/]+)/artifacts$`),
    jobToken: always,
    jobTokenPolicy: "read_jobs",
    handle(ctx) {
      return serveArchive(ctx, downloadableBuild(ctx, caller(ctx, this, false)));
    },
  },
  {
    // GitLab 18.8; declared before `*artifact_path`, so a root file named `tree` cannot be
    // fetched through the single-file route on such a version.
    name: "artifact-tree",
    method: "GET",
    pattern: new RegExp(`^${P}/jobs/([^/]+)/artifacts/tree$`),
    jobToken: always,
    jobTokenPolicy: "read_jobs",
    available: (p) => p.artifactsTree,
    handle(ctx) {
      const c = caller(ctx, this, false);
      const errors: string[] = [];
      const jobId = integerParam(ctx.params[1], "job_id");
      const recursive = booleanParam(ctx.query, "recursive", errors);
      pageParams(ctx.query, errors);
      rejectInvalid(errors);
      const job = downloadableBuild(ctx, c);
      const archive = ctx.state.archives.get(job.id);
      if (!isDownloadable(job, ctx.now) || !archive || !job.artifacts) throw notFound();
      const entries = listTree(
        archive,
        job.artifacts.files,
        ctx.query.get("path") ?? "",
        recursive,
      );
      if (!entries) throw notFound();
      return listing(
        ctx,
        entries,
        {
          id: decodeURIComponent(ctx.params[0] ?? ""),
          job_id: String(jobId),
          recursive: String(recursive),
        },
        [],
        (e) => e,
      );
    },
  },
  {
    name: "artifact-file",
    method: "GET",
    pattern: new RegExp(`^${P}/jobs/([^/]+)/artifacts/(.+)$`),
    jobToken: always,
    jobTokenPolicy: "read_jobs",
    handle(ctx) {
      const job = downloadableBuild(ctx, caller(ctx, this, false));
      if (!isDownloadable(job, ctx.now)) throw notFound();
      return serveEntry(ctx, job, artifactPath(ctx.params[2] ?? ""), false);
    },
  },
  {
    name: "keep",
    method: "POST",
    pattern: new RegExp(`^${P}/jobs/([^/]+)/artifacts/keep$`),
    jobToken: () => false,
    handle(ctx) {
      const c = caller(ctx, this, true);
      const project = projectOf(ctx, c);
      // lib/api/ci/job_artifacts.rb: `authorize_update_builds!` (Developer) before the job is
      // looked up, then `authorize!(:update_build, build)`, which Ci::BuildPolicy
      // (app/policies/ci/build_policy.rb, `protected_ref`) refuses on a protected branch or
      // tag the user may not push or merge to.
      if (!roleAtLeast(roleIn(c, project), "developer")) throw forbidden();
      const job = findBuild(ctx, project, ctx.params[1]);
      if (!mayUpdateRef(c, project, job.pipeline.ref, job.pipeline.tag)) throw forbidden();
      const artifacts = archiveOf(job, ctx.now);
      if (!artifacts || isExpired(artifacts, ctx.now)) throw notFound();
      artifacts.expireAt = null;
      return json(200, jobEntity(job, ctx.view));
    },
  },
  {
    name: "delete-artifacts",
    method: "DELETE",
    pattern: new RegExp(`^${P}/jobs/([^/]+)/artifacts$`),
    jobToken: () => false,
    handle(ctx) {
      const c = caller(ctx, this, true);
      const project = projectOf(ctx, c);
      if (!roleAtLeast(roleIn(c, project), "maintainer")) throw forbidden();
      const job = findBuild(ctx, project, ctx.params[1]);
      rejectIfRefreshing(project);
      if (job.artifacts) job.artifacts.deleted = true;
      job.reports = [];
      return { status: 204, headers: baseHeaders() };
    },
  },
  {
    name: "delete-project-artifacts",
    method: "DELETE",
    pattern: new RegExp(`^${P}/artifacts$`),
    jobToken: () => false,
    handle(ctx) {
      const c = caller(ctx, this, true);
      const project = projectOf(ctx, c);
      if (!roleAtLeast(roleIn(c, project), "maintainer")) throw forbidden();
      rejectIfRefreshing(project);
      // Deletion happens later, in the background; the newest successful pipeline of each ref is spared.
      ctx.state.background.push(() => {
        const now = ctx.state.clock.now();
        for (const pipeline of project.pipelines)
          if (!isLocked(pipeline, now))
            for (const job of pipeline.jobs) {
              if (job.artifacts) job.artifacts.deleted = true;
              job.reports = [];
            }
      });
      return json(202, { message: "202 Accepted" });
    },
  },
];

/** The job of a `/jobs/:job_id/artifacts...` route, once the caller may download its artifacts. */
function downloadableBuild(ctx: Context, c: Caller): Job {
  const project = projectOf(ctx, c);
  if (!canRead(c, project)) throw forbidden();
  const job = findBuild(ctx, project, ctx.params[1]);
  authorizeArtifacts(c, project, job);
  return job;
}

function rejectIfRefreshing(project: Project): void {
  if (project.refreshingStats)
    throw new ApiError(409, {
      message:
        "Action temporarily disabled. The project this pipeline belongs to is undergoing stats refresh.",
    });
}

/**
 * `Project#latest_successful_build_for_ref!` (app/models/project.rb) and
 * `Ci::Pipeline#build_with_artifacts_in_self_and_project_descendants`: the newest successful
 * pipeline of exactly that ref, then the first non-retried job of that name in it and its
 * same-project descendants, parent first (`ordered_by_pipeline`), that has ANY downloadable
 * artifact type (`with_downloadable_artifacts`: the archive or a report; expiry is not
 * checked). Whether that job has an archive is the caller's concern (404 when not).
 */
function refJob(ctx: Context, route: Route): Job {
  const c = caller(ctx, route, false);
  const name = ctx.query.get("job");
  if (name === null) throw new ApiError(400, { error: "job is missing" });
  const project = projectOf(ctx, c);
  if (!canRead(c, project)) throw forbidden();
  const ref = decodeURIComponent(ctx.params[1] ?? "");
  const pipeline = latestSuccessful(project, ref, ctx.now);
  if (!pipeline) throw recordNotFound();
  for (const p of selfAndDescendants(pipeline)) {
    const job = p.jobs.find(
      (j) =>
        j.kind === "build" && !j.retried && j.name === name && hasDownloadableArtifacts(j, ctx.now),
    );
    if (job) {
      authorizeArtifacts(c, project, job);
      return job;
    }
  }
  throw recordNotFound();
}

export interface Resolved {
  route: Route;
  params: string[];
}

/** The route for a request, or undefined (GitLab's catch-all 404). HEAD is served by GET routes. */
export function resolveRoute(profile: Profile, method: string, path: string): Resolved | undefined {
  const wanted = method === "HEAD" ? "GET" : method;
  for (const route of ROUTES) {
    if (route.method !== wanted || !(route.available ?? always)(profile)) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}

export const unknownRoute = (): Reply => json(404, { error: "404 Not Found" });

export async function handleGitLab(
  state: GitLabState,
  req: IncomingMessage,
  resolved: Resolved,
  path: string,
  query: URLSearchParams,
  ignoreRange: boolean,
): Promise<Reply> {
  const now = state.clock.now();
  const view: View = {
    now,
    webUrl: state.webUrl,
    archiveOf: (job) => state.archives.get(job.id),
    pipelines: new Map(),
  };
  const ctx: Context = {
    state,
    req,
    path,
    query,
    now,
    view,
    ignoreRange,
    params: resolved.params,
    policy: resolved.route.jobTokenPolicy,
  };
  try {
    return await resolved.route.handle(ctx);
  } catch (e) {
    if (e instanceof ApiError) return errorReply(e);
    throw e;
  }
}
