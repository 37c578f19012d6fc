/**
 * Scenarios: what the simulated GitLab holds. A scenario is plain data (a JSON file or an
 * object built by a test); `buildWorld` checks it and turns it into the runtime model the
 * routes read and mutate.
 */
import { readFileSync } from "node:fs";
import type { ZipEntry, ZipOptions } from "./zip.ts";

export const JOB_STATUSES = [
  "created",
  "waiting_for_resource",
  "preparing",
  "waiting_for_callback",
  "pending",
  "running",
  "success",
  "failed",
  "canceling",
  "canceled",
  "skipped",
  "manual",
  "scheduled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses after which a job has run to its end and may have uploaded artifacts. */
export const FINISHED_STATUSES: ReadonlySet<JobStatus> = new Set(["success", "failed", "canceled"]);
/** Statuses of a job the runner has not finished with yet. */
export const ACTIVE_STATUSES: ReadonlySet<JobStatus> = new Set([
  "created",
  "waiting_for_resource",
  "preparing",
  "waiting_for_callback",
  "pending",
  "running",
  "canceling",
]);

/**
 * `Enums::Ci::Pipeline.dangling_sources` (app/models/concerns/enums/ci/pipeline.rb): pipelines
 * that do not set their ref's CI status. The ref lookups (`Project#ci_pipelines`, `ci_sources`)
 * never start from one.
 */
export const DANGLING_SOURCES: ReadonlySet<string> = new Set([
  "webide",
  "parent_pipeline",
  "ondemand_dast_scan",
  "ondemand_dast_validation",
  "security_orchestration_policy",
  "container_registry_push",
  "duo_workflow",
  "pipeline_execution_policy_schedule",
]);
/** `Enums::Ci::Pipeline.sources`: the CI sources, then the dangling ones. */
export const PIPELINE_SOURCES: readonly string[] = [
  "unknown",
  "push",
  "web",
  "trigger",
  "schedule",
  "api",
  "external",
  "pipeline",
  "chat",
  "merge_request_event",
  "external_pull_request_event",
  ...DANGLING_SOURCES,
];

export const ROLES = ["guest", "reporter", "developer", "maintainer", "owner"] as const;
export type Role = (typeof ROLES)[number];
export const roleAtLeast = (role: Role | undefined, wanted: Role): boolean =>
  role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(wanted);

export type Scope = "api" | "read_api";
export type StorageMode = "local" | "object" | "proxy";
export type TokenType = "personal" | "project" | "group" | "oauth" | "job";

/**
 * The object store's provider, as GitLab's `connection: provider:` names it. GitLab signs a URL
 * for HEAD only on AWS-compatible stores; on the others a HEAD gets a URL signed for GET.
 */
export const STORE_PROVIDERS = ["AWS", "Google", "AzureRM"] as const;
export type StoreProvider = (typeof STORE_PROVIDERS)[number];

/**
 * Artifact types a job can have besides its archive that GitLab counts as downloadable
 * (`Ci::JobArtifact::DOWNLOADABLE_TYPES`, a subset): reports uploaded with `artifacts:reports`.
 */
export const REPORT_TYPES = [
  "junit",
  "dotenv",
  "cobertura",
  "codequality",
  "sast",
  "dependency_scanning",
  "terraform",
  "metrics",
] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/** Fine-grained CI/CD job token permissions (`Ci::JobToken::Policies`), those this simulator checks. */
export const JOB_TOKEN_POLICIES = ["read_jobs", "read_pipelines"] as const;
export type JobTokenPolicy = (typeof JOB_TOKEN_POLICIES)[number];

/**
 * Which routes accept a CI job token differs by GitLab version. Artifact downloads and
 * `GET /job` always do; the rest arrived over time.
 */
export const PROFILES = {
  /** Before job tokens could list a pipeline's jobs: resolving by name needs read_api. */
  legacy: {
    listJobsWithJobToken: false,
    pipelinesWithJobToken: false,
    triggerJobsAlias: false,
    archiveEtag: false,
    artifactsTree: false,
    upstreamVariables: false,
  },
  /** Listing pipeline jobs accepts a job token; pipelines and bridges do not yet. */
  recent: {
    listJobsWithJobToken: true,
    pipelinesWithJobToken: false,
    triggerJobsAlias: false,
    archiveEtag: false,
    artifactsTree: false,
    upstreamVariables: false,
  },
  /**
   * Job tokens read pipelines and trigger jobs too; `trigger_jobs` alias; strong ETag on
   * archives; `GET .../artifacts/tree` (GitLab 18.8).
   */
  newest: {
    listJobsWithJobToken: true,
    pipelinesWithJobToken: true,
    triggerJobsAlias: true,
    archiveEtag: true,
    artifactsTree: true,
    upstreamVariables: false,
  },
  /**
   * GitLab 18.9+: as "newest", and jobs of a pipeline started by a trigger job see
   * CI_UPSTREAM_PIPELINE_ID, CI_UPSTREAM_PROJECT_ID and CI_UPSTREAM_JOB_ID.
   */
  "18.9": {
    listJobsWithJobToken: true,
    pipelinesWithJobToken: true,
    triggerJobsAlias: true,
    archiveEtag: true,
    artifactsTree: true,
    upstreamVariables: true,
  },
} as const;
export type ProfileName = keyof typeof PROFILES;
export type Profile = (typeof PROFILES)[ProfileName];

export interface ScenarioSpec {
  /** GitLab version profile; default "newest". */
  profile?: ProfileName;
  /** When the scenario starts (ISO 8601); default 2026-11-01T12:00:00.000Z. */
  startTime?: string;
  /** The object store's provider; default "AWS". */
  storeProvider?: StoreProvider;
  projects: ProjectSpec[];
  tokens?: TokenSpec[];
}

export interface ProjectSpec {
  id: number;
  /** Full path, e.g. "group/app". */
  path: string;
  visibility?: "private" | "internal" | "public";
  /**
   * Other projects whose job tokens may reach this one (the inbound allowlist). A project id
   * allows everything; `{ project, permissions }` turns fine-grained permissions on for that
   * project: its job tokens may then use only routes that need one of `permissions`.
   */
  jobTokenAllowlist?: (number | AllowlistEntrySpec)[];
  /** Project statistics are being refreshed: artifact deletion answers 409. */
  refreshingStats?: boolean;
  /** Protected branches and tags; none by default. */
  protectedRefs?: ProtectedRefSpec[];
  pipelines?: PipelineSpec[];
}

export interface AllowlistEntrySpec {
  project: number;
  permissions: JobTokenPolicy[];
}

/**
 * A protected branch or tag. Who may push or merge to it (for a tag: create it) is the
 * lowest of its push and merge access levels, plus named users.
 */
export interface ProtectedRefSpec {
  /** A name, or a wildcard pattern such as "release/*". */
  name: string;
  /** Protects tags rather than branches; default false. */
  tag?: boolean;
  /** The lowest role allowed to push or merge; default "maintainer". */
  allowed?: "developer" | "maintainer" | "no_one";
  /** Users (a token's `user`) allowed whatever their role. */
  users?: string[];
}

export interface PipelineSpec {
  id: number;
  ref?: string;
  tag?: boolean;
  sha?: string;
  source?: string;
  /** Fixed status; by default derived from the jobs' statuses, as GitLab does. */
  status?: string;
  /** Seconds after the scenario start at which the pipeline was created (may be negative). */
  createdAt?: number;
  jobs?: JobSpec[];
  bridges?: BridgeSpec[];
}

export interface StatusChange {
  /** Seconds after the scenario start. */
  at: number;
  status: JobStatus;
}

export interface JobSpec {
  id?: number;
  name: string;
  stage?: string;
  /** Status at the start; default "success". */
  status?: JobStatus;
  /** Later statuses: the job is `status` until the first change's `at`, and so on. */
  timeline?: StatusChange[];
  /** An older attempt that a retry replaced (hidden unless include_retried). */
  retried?: boolean;
  allowFailure?: boolean;
  tags?: string[];
  failureReason?: string;
  coverage?: number;
  artifacts?: ArtifactsSpec;
  /** Downloadable report artifacts (`artifacts:reports`), uploaded when the job finishes. */
  reports?: ReportType[];
  /**
   * A runner has picked the job and GitLab awaits its acknowledgement: while the job is
   * `pending`, its job token already works.
   */
  awaitingRunnerAck?: boolean;
}

export interface ArtifactsSpec {
  files: ZipEntry[];
  zip?: ZipOptions;
  /** Where the archive lives; default "local". */
  storage?: StorageMode;
  /** Seconds after the scenario start at which the artifacts expire; default never. */
  expireIn?: number | null;
  /** `artifacts:access`; default "all". */
  access?: "all" | "developer" | "none";
  /**
   * GitLab's database knows the archive but the object store has lost it: the store answers
   * 404 NoSuchKey to every request for it (object and proxy storage).
   */
  missingInStore?: boolean;
}

export interface BridgeSpec {
  id?: number;
  name: string;
  stage?: string;
  status?: JobStatus;
  timeline?: StatusChange[];
  /** Id of the pipeline this trigger job created (none yet when omitted). */
  downstream?: number;
}

export interface TokenSpec {
  token: string;
  type: TokenType;
  /** The user the token acts for; default "root". */
  user?: string;
  /** Role in every project; `roles` overrides it per project id. Default "maintainer". */
  role?: Role;
  roles?: Record<string, Role>;
  /** Default ["api"]. Ignored for job tokens. */
  scopes?: Scope[];
  /** For job tokens: the job it belongs to (valid only while that job is running). */
  job?: number;
  revoked?: boolean;
  expired?: boolean;
}

// ---- runtime model -----------------------------------------------------------------------

export interface User {
  id: number;
  username: string;
}

export interface Project {
  id: number;
  path: string;
  name: string;
  visibility: "private" | "internal" | "public";
  /** Source project id -> the permissions its job tokens have here ("all": not fine-grained). */
  jobTokenAllowlist: Map<number, "all" | ReadonlySet<JobTokenPolicy>>;
  refreshingStats: boolean;
  protectedRefs: ProtectedRef[];
  pipelines: Pipeline[];
}

export interface ProtectedRef {
  pattern: RegExp;
  tag: boolean;
  allowed: "developer" | "maintainer" | "no_one";
  users: ReadonlySet<string>;
}

export interface Pipeline {
  id: number;
  iid: number;
  project: Project;
  ref: string;
  tag: boolean;
  sha: string;
  source: string;
  fixedStatus: string | undefined;
  createdAt: number;
  user: User;
  parent: Pipeline | undefined;
  /** The trigger job that created this pipeline (`Ci::Sources::Pipeline`), if any. */
  sourceBridge: Job | undefined;
  /** Builds and bridges, in id order. */
  jobs: Job[];
}

export interface Artifacts {
  files: ZipEntry[];
  zip: ZipOptions | undefined;
  storage: StorageMode;
  /** Epoch ms, or null when kept forever. */
  expireAt: number | null;
  access: "all" | "developer" | "none";
  /** Set once deleted through the API (or by project cleanup). */
  deleted: boolean;
  missingInStore: boolean;
}

export interface Job {
  id: number;
  kind: "build" | "bridge";
  name: string;
  stage: string;
  pipeline: Pipeline;
  retried: boolean;
  allowFailure: boolean;
  tags: string[];
  failureReason: string;
  coverage: number | null;
  /** Sorted by time; the first is at -Infinity (the initial status). */
  timeline: { at: number; status: JobStatus }[];
  artifacts: Artifacts | undefined;
  reports: ReportType[];
  awaitingRunnerAck: boolean;
  /** For bridges: the pipeline the trigger created. */
  downstream: Pipeline | undefined;
}

export interface Token {
  token: string;
  type: TokenType;
  user: User;
  role: Role;
  roles: Map<number, Role>;
  scopes: Set<Scope>;
  job: number | undefined;
  revoked: boolean;
  expired: boolean;
}

export interface World {
  profile: Profile;
  profileName: ProfileName;
  storeProvider: StoreProvider;
  start: number;
  projects: Map<number, Project>;
  projectsByPath: Map<string, Project>;
  pipelines: Map<number, Pipeline>;
  jobs: Map<number, Job>;
  tokens: Map<string, Token>;
}

export const DEFAULT_START = "2026-11-01T12:00:00.000Z";

export function loadScenarioFile(file: string): ScenarioSpec {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ScenarioSpec;
  } catch (e) {
    throw new ScenarioError(`scenario file ${file}: ${(e as Error).message}`);
  }
}

/** A scenario that does not describe a valid GitLab: the message names the field and its value. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
}

function check(condition: unknown, where: string, message: string): asserts condition {
  if (!condition) throw new ScenarioError(`scenario ${where}: ${message}`);
}

function checkStatus(status: unknown, where: string): asserts status is JobStatus {
  check(
    JOB_STATUSES.includes(status as JobStatus),
    where,
    `status ${JSON.stringify(status)} is not one of ${JOB_STATUSES.join(", ")}`,
  );
}

// ---- field checks: a scenario is untrusted input (a JSON file), so every field is checked
// before it is used, and a wrong one is named with its path and value instead of crashing later.

type Test = ((v: unknown) => boolean) & { what: string };
const test = (what: string, ok: (v: unknown) => boolean): Test => Object.assign(ok, { what });
const isString = test("a string", (v) => typeof v === "string");
const isBoolean = test("true or false", (v) => typeof v === "boolean");
const isNumber = test("a number", (v) => typeof v === "number" && Number.isFinite(v));
const isPositiveInteger = test("a positive integer", (v) => Number.isInteger(v) && Number(v) > 0);
const isSize = test("a whole number of bytes", (v) => Number.isSafeInteger(v) && Number(v) >= 0);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const oneOf = (values: readonly unknown[]) =>
  test(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`, (v) => values.includes(v));
const arrayOf = (item: Test, items: string) =>
  test(`an array of ${items}`, (v) => Array.isArray(v) && v.every(item));

/** An optional field: absent passes, anything else must pass `ok`. */
function optional(obj: Record<string, unknown>, key: string, where: string, ok: Test): void {
  const v = obj[key];
  if (v !== undefined) check(ok(v), where, `${key} must be ${ok.what}, got ${JSON.stringify(v)}`);
}

function object(v: unknown, where: string): Record<string, unknown> {
  check(isRecord(v), where, `must be an object, got ${JSON.stringify(v)}`);
  return v;
}

/** An optional array field, each item an object. */
function objects(obj: Record<string, unknown>, key: string, where: string): unknown[] {
  const v = obj[key];
  if (v === undefined) return [];
  check(Array.isArray(v), where, `${key} must be an array, got ${JSON.stringify(v)}`);
  v.forEach((item, i) => object(item, `${where}.${key}[${i}]`));
  return v;
}

const ZIP_CONTENT_FILLS = ["random", "zeros", "text", "source"] as const;

function checkZipEntry(entry: unknown, where: string): void {
  const e = object(entry, where);
  check(
    ["file", "directory", "symlink"].includes(e.type as string),
    where,
    `type must be "file", "directory" or "symlink", got ${JSON.stringify(e.type)}`,
  );
  check(
    typeof e.name === "string" && e.name !== "",
    where,
    `name must be a non-empty string, got ${JSON.stringify(e.name)}`,
  );
  optional(
    e,
    "mode",
    where,
    test("a Unix mode (0 to 0o7777)", (v) =>
      Number.isInteger(v) && Number(v) >= 0 && Number(v) <= 0o7777),
  );
  if (e.type === "symlink")
    check(typeof e.target === "string", where, "a symlink needs a string target");
  if (e.type !== "directory") optional(e, "badCrc", where, isBoolean);
  if (e.type !== "file") return;
  optional(e, "method", where, oneOf(["store", "deflate"]));
  optional(e, "declaredSize", where, isSize);
  const c = object(e.content, `${where}.content`);
  const cwhere = `${where}.content`;
  const kinds = ["text", "base64", "size"].filter((k) => k in c);
  check(
    kinds.length === 1,
    cwhere,
    'must have exactly one of "text", "base64" or "size" (with "fill")',
  );
  if ("text" in c) optional(c, "text", cwhere, isString);
  else if ("base64" in c) optional(c, "base64", cwhere, isString);
  else {
    optional(c, "size", cwhere, isSize);
    check(
      ZIP_CONTENT_FILLS.includes(c.fill as never),
      cwhere,
      `fill must be one of ${ZIP_CONTENT_FILLS.map((f) => `"${f}"`).join(", ")}, got ${JSON.stringify(c.fill)}`,
    );
    optional(c, "seed", cwhere, isString);
  }
}

function checkArtifacts(spec: unknown, where: string): void {
  const a = object(spec, where);
  check(Array.isArray(a.files), where, "files must be an array of zip entries");
  a.files.forEach((entry, i) => checkZipEntry(entry, `${where}.files[${i}]`));
  if (a.zip !== undefined) {
    const z = object(a.zip, `${where}.zip`);
    optional(z, "zip64", `${where}.zip`, oneOf(["auto", "force"]));
    optional(z, "dataDescriptors", `${where}.zip`, isBoolean);
    optional(
      z,
      "mtime",
      `${where}.zip`,
      test("an ISO 8601 date-time", (v) =>
        (typeof v === "string" || v instanceof Date) && Number.isFinite(new Date(v).getTime())),
    );
  }
  optional(a, "storage", where, oneOf(["local", "object", "proxy"]));
  optional(
    a,
    "expireIn",
    where,
    test("a number of seconds or null", (v) => v === null || isNumber(v)),
  );
  optional(a, "access", where, oneOf(["all", "developer", "none"]));
  optional(a, "missingInStore", where, isBoolean);
}

function checkJob(spec: Record<string, unknown>, kind: Job["kind"], where: string): void {
  optional(spec, "id", where, isPositiveInteger);
  check(
    typeof spec.name === "string" && spec.name !== "",
    where,
    "name must be a non-empty string",
  );
  optional(spec, "stage", where, isString);
  for (const [i, change] of objects(spec, "timeline", where).entries()) {
    const c = change as Record<string, unknown>;
    checkStatus(c.status, `${where}.timeline`);
    check(isNumber(c.at), `${where}.timeline[${i}]`, "at must be a number of seconds");
  }
  if (kind === "bridge") {
    optional(spec, "downstream", where, isPositiveInteger);
    return;
  }
  for (const key of ["retried", "allowFailure", "awaitingRunnerAck"])
    optional(spec, key, where, isBoolean);
  optional(spec, "tags", where, arrayOf(isString, "strings"));
  optional(spec, "failureReason", where, isString);
  optional(spec, "coverage", where, isNumber);
  optional(
    spec,
    "reports",
    where,
    arrayOf(oneOf(REPORT_TYPES), `report types (${REPORT_TYPES.join(", ")})`),
  );
  if (spec.artifacts !== undefined) checkArtifacts(spec.artifacts, `${where}.artifacts`);
}

function checkProject(ps: Record<string, unknown>, where: string): void {
  check(isPositiveInteger(ps.id), where, "id must be a positive integer");
  check(
    typeof ps.path === "string" && ps.path.includes("/"),
    where,
    'path must look like "group/name"',
  );
  optional(ps, "visibility", where, oneOf(["private", "internal", "public"]));
  optional(ps, "refreshingStats", where, isBoolean);
  optional(
    ps,
    "jobTokenAllowlist",
    where,
    arrayOf(
      test("", (v) =>
        isPositiveInteger(v) ||
        (isRecord(v) &&
          isPositiveInteger(v.project) &&
          arrayOf(oneOf(JOB_TOKEN_POLICIES), "")(v.permissions))),
      `project ids or { "project": id, "permissions": [${JOB_TOKEN_POLICIES.map((p) => `"${p}"`).join(", ")}] }`,
    ),
  );
  for (const [i, ref] of objects(ps, "protectedRefs", where).entries()) {
    const r = ref as Record<string, unknown>;
    const rwhere = `${where}.protectedRefs[${i}]`;
    check(typeof r.name === "string" && r.name !== "", rwhere, "name must be a non-empty string");
    optional(r, "tag", rwhere, isBoolean);
    optional(r, "allowed", rwhere, oneOf(["developer", "maintainer", "no_one"]));
    optional(r, "users", rwhere, arrayOf(isString, "strings"));
  }
  for (const [li, pipeline] of objects(ps, "pipelines", where).entries()) {
    const ls = pipeline as Record<string, unknown>;
    const pwhere = `${where}.pipelines[${li}]`;
    check(isPositiveInteger(ls.id), pwhere, "id must be a positive integer");
    for (const key of ["ref", "sha", "status"]) optional(ls, key, pwhere, isString);
    optional(ls, "source", pwhere, oneOf(PIPELINE_SOURCES));
    optional(ls, "tag", pwhere, isBoolean);
    optional(ls, "createdAt", pwhere, isNumber);
    for (const [ji, job] of objects(ls, "jobs", pwhere).entries())
      checkJob(job as Record<string, unknown>, "build", `${pwhere}.jobs[${ji}]`);
    for (const [bi, bridge] of objects(ls, "bridges", pwhere).entries())
      checkJob(bridge as Record<string, unknown>, "bridge", `${pwhere}.bridges[${bi}]`);
  }
}

function checkToken(ts: Record<string, unknown>, where: string): void {
  check(
    typeof ts.token === "string" && ts.token.length >= 8,
    where,
    "token must be a string of 8+ characters",
  );
  check(
    ["personal", "project", "group", "oauth", "job"].includes(ts.type as string),
    where,
    "bad type",
  );
  optional(ts, "user", where, isString);
  optional(ts, "role", where, oneOf(ROLES));
  optional(
    ts,
    "roles",
    where,
    test(`an object from project id to ${oneOf(ROLES).what}`, (v) =>
      isRecord(v) &&
      Object.entries(v).every(([id, role]) => /^\d+$/.test(id) && ROLES.includes(role as Role))),
  );
  optional(ts, "scopes", where, arrayOf(oneOf(["api", "read_api"]), 'scopes ("api", "read_api")'));
  optional(ts, "job", where, isPositiveInteger);
  for (const key of ["revoked", "expired"]) optional(ts, key, where, isBoolean);
}

/** Checks a scenario's shape: every field has the type and values its interface promises. */
function checkSpec(spec: unknown): asserts spec is ScenarioSpec {
  const s = object(spec, "(top level)");
  check(
    s.profile === undefined || Object.hasOwn(PROFILES, s.profile as string),
    "profile",
    `must be one of ${Object.keys(PROFILES).join(", ")}`,
  );
  check(
    s.startTime === undefined ||
      (typeof s.startTime === "string" && Number.isFinite(Date.parse(s.startTime))),
    "startTime",
    "must be an ISO 8601 date-time",
  );
  check(
    s.storeProvider === undefined || STORE_PROVIDERS.includes(s.storeProvider as StoreProvider),
    "storeProvider",
    `must be one of ${STORE_PROVIDERS.join(", ")}`,
  );
  check(Array.isArray(s.projects), "projects", "must be an array");
  s.projects.forEach((p, i) => checkProject(object(p, `projects[${i}]`), `projects[${i}]`));
  for (const [ti, token] of objects(s, "tokens", "(top level)").entries())
    checkToken(token as Record<string, unknown>, `tokens[${ti}]`);
}

/** "release/*" -> /^release\/.*$/: GitLab's protected-ref wildcards. */
const wildcard = (name: string) =>
  new RegExp(
    `^${name
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*")}$`,
  );

/** Checks a scenario and builds the model. Job ids not given are assigned in file order. */
export function buildWorld(spec: ScenarioSpec): World {
  checkSpec(spec);
  const profileName = spec.profile ?? "newest";
  const start = Date.parse(spec.startTime ?? DEFAULT_START);

  const users = new Map<string, User>();
  const userFor = (username: string): User => {
    let user = users.get(username);
    if (!user) {
      user = { id: users.size + 1, username };
      users.set(username, user);
    }
    return user;
  };

  const world: World = {
    profile: PROFILES[profileName],
    profileName,
    storeProvider: spec.storeProvider ?? "AWS",
    start,
    projects: new Map(),
    projectsByPath: new Map(),
    pipelines: new Map(),
    jobs: new Map(),
    tokens: new Map(),
  };

  const explicitIds = new Set<number>();
  for (const p of spec.projects)
    for (const pl of p.pipelines ?? [])
      for (const j of [...(pl.jobs ?? []), ...(pl.bridges ?? [])])
        if (j.id !== undefined) {
          check(!explicitIds.has(j.id), `job ${j.id}`, "id used twice");
          explicitIds.add(j.id);
        }
  let nextId = Math.max(1000, ...explicitIds) + 1;
  const takeId = (id: number | undefined) => id ?? nextId++;

  const downstreamLinks: { bridge: Job; pipelineId: number }[] = [];
  for (const [pi, ps] of spec.projects.entries()) {
    const where = `projects[${pi}]`;
    check(!world.projects.has(ps.id), where, `project id ${ps.id} used twice`);
    const project: Project = {
      id: ps.id,
      path: ps.path,
      name: ps.path.slice(ps.path.lastIndexOf("/") + 1),
      visibility: ps.visibility ?? "private",
      jobTokenAllowlist: new Map<number, "all" | ReadonlySet<JobTokenPolicy>>(
        (ps.jobTokenAllowlist ?? []).map((entry) =>
          typeof entry === "number"
            ? [entry, "all" as const]
            : [entry.project, new Set(entry.permissions)],
        ),
      ),
      refreshingStats: ps.refreshingStats ?? false,
      protectedRefs: (ps.protectedRefs ?? []).map((r) => ({
        pattern: wildcard(r.name),
        tag: r.tag ?? false,
        allowed: r.allowed ?? "maintainer",
        users: new Set(r.users ?? []),
      })),
      pipelines: [],
    };
    world.projects.set(project.id, project);
    world.projectsByPath.set(project.path, project);

    for (const [li, ls] of (ps.pipelines ?? []).entries()) {
      const pwhere = `${where}.pipelines[${li}]`;
      check(!world.pipelines.has(ls.id), pwhere, `pipeline id ${ls.id} used twice`);
      const pipeline: Pipeline = {
        id: ls.id,
        iid: project.pipelines.length + 1,
        project,
        ref: ls.ref ?? "main",
        tag: ls.tag ?? false,
        sha: ls.sha ?? fakeSha(ls.id),
        source: ls.source ?? "push",
        fixedStatus: ls.status,
        createdAt: start + (ls.createdAt ?? -600) * 1000,
        user: userFor("root"),
        parent: undefined,
        sourceBridge: undefined,
        jobs: [],
      };
      project.pipelines.push(pipeline);
      world.pipelines.set(pipeline.id, pipeline);

      const addJob = (js: JobSpec | BridgeSpec, kind: Job["kind"], jwhere: string): Job => {
        const first = js.status ?? "success";
        checkStatus(first, jwhere);
        const timeline = [{ at: Number.NEGATIVE_INFINITY, status: first }];
        for (const change of js.timeline ?? [])
          timeline.push({ at: start + change.at * 1000, status: change.status });
        timeline.sort((a, b) => a.at - b.at);
        const build = kind === "build" ? (js as JobSpec) : undefined;
        const job: Job = {
          id: takeId(js.id),
          kind,
          name: js.name,
          stage: js.stage ?? "test",
          pipeline,
          retried: build?.retried ?? false,
          allowFailure: build?.allowFailure ?? false,
          tags: build?.tags ?? [],
          failureReason: build?.failureReason ?? "script_failure",
          coverage: build?.coverage ?? null,
          timeline,
          artifacts: build?.artifacts && artifactsFrom(build.artifacts, start),
          reports: [...new Set(build?.reports ?? [])],
          awaitingRunnerAck: build?.awaitingRunnerAck ?? false,
          downstream: undefined,
        };
        world.jobs.set(job.id, job);
        pipeline.jobs.push(job);
        return job;
      };
      for (const [ji, js] of (ls.jobs ?? []).entries())
        addJob(js, "build", `${pwhere}.jobs[${ji}]`);
      for (const [bi, bs] of (ls.bridges ?? []).entries()) {
        const bridge = addJob(bs, "bridge", `${pwhere}.bridges[${bi}]`);
        if (bs.downstream !== undefined)
          downstreamLinks.push({ bridge, pipelineId: bs.downstream });
      }
      pipeline.jobs.sort((a, b) => a.id - b.id);
    }
  }

  for (const { bridge, pipelineId } of downstreamLinks) {
    const child = world.pipelines.get(pipelineId);
    check(child, `bridge ${bridge.id}`, `downstream pipeline ${pipelineId} does not exist`);
    check(child !== bridge.pipeline, `bridge ${bridge.id}`, "cannot trigger its own pipeline");
    check(!child.parent, `pipeline ${pipelineId}`, "has two parents");
    bridge.downstream = child;
    child.parent = bridge.pipeline;
    child.sourceBridge = bridge;
    if (child.project === bridge.pipeline.project && child.source === "push")
      child.source = "parent_pipeline";
    else if (child.project !== bridge.pipeline.project && child.source === "push")
      child.source = "pipeline";
  }
  // A chain of triggers that loops back (1 -> 2 -> 1) has no root pipeline.
  for (const pipeline of world.pipelines.values()) {
    const seen = new Set<Pipeline>();
    for (let p: Pipeline | undefined = pipeline; p; p = p.parent) {
      check(!seen.has(p), `pipeline ${pipeline.id}`, "is its own ancestor (a trigger loop)");
      seen.add(p);
    }
  }

  for (const [ti, ts] of (spec.tokens ?? []).entries()) {
    const where = `tokens[${ti}]`;
    if (ts.type === "job")
      check(world.jobs.get(ts.job ?? -1)?.kind === "build", where, "job must name a build");
    world.tokens.set(ts.token, {
      token: ts.token,
      type: ts.type,
      user: userFor(ts.user ?? "root"),
      role: ts.role ?? "maintainer",
      roles: new Map(Object.entries(ts.roles ?? {}).map(([id, role]) => [Number(id), role])),
      scopes: new Set(ts.scopes ?? ["api"]),
      job: ts.job,
      revoked: ts.revoked ?? false,
      expired: ts.expired ?? false,
    });
  }
  return world;
}

function artifactsFrom(spec: ArtifactsSpec, start: number): Artifacts {
  return {
    files: spec.files,
    zip: spec.zip,
    storage: spec.storage ?? "local",
    expireAt: spec.expireIn == null ? null : start + spec.expireIn * 1000,
    access: spec.access ?? "all",
    deleted: false,
    missingInStore: spec.missingInStore ?? false,
  };
}

/** A stable 40-hex commit sha for a pipeline id. */
function fakeSha(id: number): string {
  let h = 0x811c9dc5 ^ id;
  let out = "";
  while (out.length < 40) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}

// ---- reading the model at a point in time ------------------------------------------------

export function statusAt(job: Job, now: number): JobStatus {
  let status = job.timeline[0]?.status ?? "success";
  for (const change of job.timeline) if (change.at <= now) status = change.status;
  return status;
}

/** When the job entered `status` (ms), or undefined if it never did by `now`. */
export function enteredAt(
  job: Job,
  now: number,
  status: ReadonlySet<JobStatus>,
): number | undefined {
  let when: number | undefined;
  for (const change of job.timeline) {
    if (change.at > now) break;
    if (status.has(change.status)) when ??= change.at;
  }
  return when;
}

/**
 * A pipeline's status from its jobs, following GitLab's composite status: skipped when all
 * skipped, failed when a job that may not fail failed, running while anything is active, and so on.
 */
export function pipelineStatus(pipeline: Pipeline, now: number): string {
  if (pipeline.fixedStatus) return pipeline.fixedStatus;
  const statuses = pipeline.jobs
    .filter((j) => !j.retried)
    .map((j) => ({ status: statusAt(j, now), allowFailure: j.allowFailure }));
  if (statuses.length === 0) return "created";
  const has = (s: JobStatus) => statuses.some((x) => x.status === s);
  if (statuses.every((x) => x.status === "skipped")) return "skipped";
  if (has("running") || has("canceling")) return "running";
  if (has("pending") || has("preparing") || has("waiting_for_callback")) return "running";
  if (has("waiting_for_resource")) return "waiting_for_resource";
  if (has("created")) return "created";
  if (statuses.some((x) => x.status === "failed" && !x.allowFailure)) return "failed";
  if (has("canceled")) return "canceled";
  if (has("manual")) return "manual";
  if (has("scheduled")) return "scheduled";
  return "success";
}

/** Artifacts that exist on the server now: uploaded (job finished) and not deleted. */
export function archiveOf(job: Job, now: number): Artifacts | undefined {
  const a = job.artifacts;
  if (!a || a.deleted) return undefined;
  return FINISHED_STATUSES.has(statusAt(job, now)) ? a : undefined;
}

export const isExpired = (a: Artifacts, now: number): boolean =>
  a.expireAt !== null && a.expireAt <= now;

/** Report artifacts that exist now: uploaded when the job finished, not deleted since. */
export function reportsOf(job: Job, now: number): ReportType[] {
  return FINISHED_STATUSES.has(statusAt(job, now)) ? job.reports : [];
}

/**
 * `Ci::Build.with_downloadable_artifacts`: the job has any artifact of a downloadable type
 * (the archive or a report), expired or not.
 */
export const hasDownloadableArtifacts = (job: Job, now: number): boolean =>
  archiveOf(job, now) !== undefined || reportsOf(job, now).length > 0;

/** `available_artifacts?`: an archive, unexpired or kept by a lock. */
export function isDownloadable(job: Job, now: number): boolean {
  const a = archiveOf(job, now);
  return a !== undefined && (!isExpired(a, now) || isLocked(job.pipeline, now));
}

/** The pipeline and its same-project descendants, parent first then by id. */
export function selfAndDescendants(pipeline: Pipeline): Pipeline[] {
  const out = [pipeline];
  for (let i = 0; i < out.length; i++)
    for (const job of out[i]?.jobs ?? [])
      if (job.downstream && job.downstream.project === pipeline.project) out.push(job.downstream);
  return [pipeline, ...out.slice(1).sort((a, b) => a.id - b.id)];
}

/**
 * GitLab locks the artifacts of the newest successful pipeline of each ref (and of its
 * child pipelines): they are kept past expiry and spared by project-wide deletion.
 */
export function isLocked(pipeline: Pipeline, now: number): boolean {
  let root = pipeline;
  while (root.parent && root.source === "parent_pipeline") root = root.parent;
  return latestSuccessful(root.project, root.ref, now) === root;
}

/**
 * `Project#ci_pipelines.latest_successful_for_ref` (app/models/project.rb, app/models/ci/pipeline.rb):
 * the newest successful pipeline of exactly that ref among CI sources, so never a child pipeline
 * nor another dangling one.
 */
export function latestSuccessful(project: Project, ref: string, now: number): Pipeline | undefined {
  let best: Pipeline | undefined;
  for (const p of project.pipelines)
    if (
      !DANGLING_SOURCES.has(p.source) &&
      p.ref === ref &&
      pipelineStatus(p, now) === "success" &&
      (!best || p.id > best.id)
    )
      best = p;
  return best;
}
