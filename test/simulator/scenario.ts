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

export const ROLES = ["guest", "reporter", "developer", "maintainer", "owner"] as const;
export type Role = (typeof ROLES)[number];
export const roleAtLeast = (role: Role | undefined, wanted: Role): boolean =>
  role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(wanted);

export type Scope = "api" | "read_api";
export type StorageMode = "local" | "object" | "proxy";
export type TokenType = "personal" | "project" | "group" | "oauth" | "job";

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
  },
  /** Listing pipeline jobs accepts a job token; pipelines and bridges do not yet. */
  recent: {
    listJobsWithJobToken: true,
    pipelinesWithJobToken: false,
    triggerJobsAlias: false,
    archiveEtag: false,
  },
  /** Job tokens read pipelines and trigger jobs too; `trigger_jobs` alias; strong ETag on archives. */
  newest: {
    listJobsWithJobToken: true,
    pipelinesWithJobToken: true,
    triggerJobsAlias: true,
    archiveEtag: true,
  },
} as const;
export type ProfileName = keyof typeof PROFILES;
export type Profile = (typeof PROFILES)[ProfileName];

export interface ScenarioSpec {
  /** GitLab version profile; default "newest". */
  profile?: ProfileName;
  /** When the scenario starts (ISO 8601); default 2026-11-01T12:00:00.000Z. */
  startTime?: string;
  projects: ProjectSpec[];
  tokens?: TokenSpec[];
}

export interface ProjectSpec {
  id: number;
  /** Full path, e.g. "group/app". */
  path: string;
  visibility?: "private" | "internal" | "public";
  /** Other projects whose job tokens may reach this one (the inbound allowlist). */
  jobTokenAllowlist?: number[];
  /** Project statistics are being refreshed: artifact deletion answers 409. */
  refreshingStats?: boolean;
  pipelines?: PipelineSpec[];
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
  jobTokenAllowlist: Set<number>;
  refreshingStats: boolean;
  pipelines: Pipeline[];
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
  start: number;
  projects: Map<number, Project>;
  projectsByPath: Map<string, Project>;
  pipelines: Map<number, Pipeline>;
  jobs: Map<number, Job>;
  tokens: Map<string, Token>;
}

export const DEFAULT_START = "2026-11-01T12:00:00.000Z";

export function loadScenarioFile(file: string): ScenarioSpec {
  return JSON.parse(readFileSync(file, "utf8")) as ScenarioSpec;
}

class ScenarioError extends Error {
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

/** Checks a scenario and builds the model. Job ids not given are assigned in file order. */
export function buildWorld(spec: ScenarioSpec): World {
  const profileName = spec.profile ?? "newest";
  check(profileName in PROFILES, "profile", `must be one of ${Object.keys(PROFILES).join(", ")}`);
  const start = Date.parse(spec.startTime ?? DEFAULT_START);
  check(Number.isFinite(start), "startTime", "must be an ISO 8601 date-time");
  check(Array.isArray(spec.projects), "projects", "must be an array");

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
    check(Number.isInteger(ps.id) && ps.id > 0, where, "id must be a positive integer");
    check(
      typeof ps.path === "string" && ps.path.includes("/"),
      where,
      'path must look like "group/name"',
    );
    check(!world.projects.has(ps.id), where, `project id ${ps.id} used twice`);
    const project: Project = {
      id: ps.id,
      path: ps.path,
      name: ps.path.slice(ps.path.lastIndexOf("/") + 1),
      visibility: ps.visibility ?? "private",
      jobTokenAllowlist: new Set(ps.jobTokenAllowlist ?? []),
      refreshingStats: ps.refreshingStats ?? false,
      pipelines: [],
    };
    world.projects.set(project.id, project);
    world.projectsByPath.set(project.path, project);

    for (const [li, ls] of (ps.pipelines ?? []).entries()) {
      const pwhere = `${where}.pipelines[${li}]`;
      check(Number.isInteger(ls.id) && ls.id > 0, pwhere, "id must be a positive integer");
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
        jobs: [],
      };
      project.pipelines.push(pipeline);
      world.pipelines.set(pipeline.id, pipeline);

      const addJob = (js: JobSpec | BridgeSpec, kind: Job["kind"], jwhere: string): Job => {
        check(
          typeof js.name === "string" && js.name !== "",
          jwhere,
          "name must be a non-empty string",
        );
        const first = js.status ?? "success";
        checkStatus(first, jwhere);
        const timeline = [{ at: Number.NEGATIVE_INFINITY, status: first }];
        for (const change of js.timeline ?? []) {
          checkStatus(change.status, `${jwhere}.timeline`);
          check(Number.isFinite(change.at), `${jwhere}.timeline`, "at must be a number of seconds");
          timeline.push({ at: start + change.at * 1000, status: change.status });
        }
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
          artifacts: build?.artifacts && artifactsFrom(build.artifacts, start, jwhere),
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
    check(!child.parent, `pipeline ${pipelineId}`, "has two parents");
    bridge.downstream = child;
    child.parent = bridge.pipeline;
    if (child.project === bridge.pipeline.project && child.source === "push")
      child.source = "parent_pipeline";
    else if (child.project !== bridge.pipeline.project && child.source === "push")
      child.source = "pipeline";
  }

  for (const [ti, ts] of (spec.tokens ?? []).entries()) {
    const where = `tokens[${ti}]`;
    check(
      typeof ts.token === "string" && ts.token.length >= 8,
      where,
      "token must be a string of 8+ characters",
    );
    check(["personal", "project", "group", "oauth", "job"].includes(ts.type), where, "bad type");
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

function artifactsFrom(spec: ArtifactsSpec, start: number, where: string): Artifacts {
  check(Array.isArray(spec.files), `${where}.artifacts`, "files must be an array of zip entries");
  const storage = spec.storage ?? "local";
  check(
    ["local", "object", "proxy"].includes(storage),
    `${where}.artifacts`,
    "storage must be local, object or proxy",
  );
  return {
    files: spec.files,
    zip: spec.zip,
    storage,
    expireAt: spec.expireIn == null ? null : start + spec.expireIn * 1000,
    access: spec.access ?? "all",
    deleted: false,
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

/** `available_artifacts?` / `with_downloadable_artifacts`: unexpired, or kept by a lock. */
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

/** `Ci::Pipeline.latest_successful_for_ref`: child pipelines are not CI sources. */
export function latestSuccessful(project: Project, ref: string, now: number): Pipeline | undefined {
  let best: Pipeline | undefined;
  for (const p of project.pipelines)
    if (
      p.source !== "parent_pipeline" &&
      p.ref === ref &&
      pipelineStatus(p, now) === "success" &&
      (!best || p.id > best.id)
    )
      best = p;
  return best;
}
