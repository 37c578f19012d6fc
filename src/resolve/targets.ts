/**
 * From a selector to the jobs to act on: by name in the pipeline (and its children, waiting for
 * them if asked), by id, or by ref. What could not be found is returned as `missing`, with why.
 */
import { RunError, setting } from "../errors.ts";
import {
  type ApiJob,
  DANGLING_SOURCES,
  DOWNLOADABLE_TYPES,
  type GitLabApi,
  type JobStatus,
} from "../gitlab/api.ts";
import { GitLabError } from "../gitlab/errors.ts";
import type { Log } from "../log.ts";
import {
  awaited,
  type Hierarchy,
  inSearchOrder,
  type PollPolicy,
  readHierarchy,
  selectJobs,
  waitForJobs,
} from "./jobs.ts";
import { nearest } from "../util/text.ts";
import { type NamePattern, select } from "./match.ts";

/** Jobs found by name in a pipeline (and its child pipelines), as the running job sees them. */
export interface ByNames {
  kind: "names";
  pipelineId: number;
  patterns: NamePattern[];
  childPipelines: boolean;
  statuses: ReadonlySet<JobStatus>;
  /** Wait for matching jobs that have not finished, up to this long; undefined: do not wait. */
  waitMs: number | undefined;
  /** The job running the tool (CI_JOB_ID), never selected. */
  self: number | undefined;
  /** The pipeline that triggered this one, searched after it (and its children). */
  upstream: { pipelineId: number; project: string | undefined } | undefined;
}

/** Jobs given by id: no lookup. */
export interface ByIds {
  kind: "ids";
  ids: number[];
}

/** One job name in the newest successful pipeline of a branch or tag, as GitLab finds it. */
export interface ByRef {
  kind: "ref";
  ref: string;
  name: string;
}

/** Which jobs to act on. */
export type Selector = ByNames | ByIds | ByRef;
/** The selectors that name jobs by id once resolved (keep, delete and list act on ids). */
export type JobSelector = ByNames | ByIds;

/** A job known by its id. */
export interface Job {
  kind: "job";
  id: number;
  name: string;
  /** How messages name it. */
  label: string;
  /** Unknown when the job was given by id. */
  pipelineId: number | undefined;
  status: JobStatus | undefined;
  webUrl: string;
  /** The API URL of its archive. */
  archiveUrl: string;
  /** Set when the job belongs to another project than the one given (an upstream's). */
  project?: string;
  /** Archive size GitLab reported (0 when unknown). */
  size: number;
  expiresAt: string | null | undefined;
}

/**
 * A job GitLab itself finds by name in the newest successful pipeline of a ref, when the token
 * may not list pipelines: no id here.
 */
export interface RefJob {
  kind: "ref";
  ref: string;
  name: string;
  label: string;
  webUrl: string;
  /** GitLab's ref URL of the archive (it finds the job when asked). */
  archiveUrl: string;
}

export type Target = Job | RefJob;

/** A requested job that gives no artifacts, and why; `hint` says what the user can do. */
export interface Missing {
  why: string;
  hint?: string;
}

export interface Resolved<T extends Target> {
  targets: T[];
  missing: Missing[];
  /** The pipeline the jobs were looked up in, when they were looked up. */
  pipelineId?: number;
}

export interface ResolveContext {
  api: GitLabApi;
  log: Log;
  poll: PollPolicy;
  signal?: AbortSignal;
}

/**
 * Any selector. A ref is resolved to the job GitLab's ref endpoints would serve; where the token
 * may not list pipelines (a job token on older GitLab), those endpoints are left to find it.
 */
export async function resolveTargets(
  selector: Selector,
  ctx: ResolveContext,
): Promise<Resolved<Target>> {
  if (selector.kind !== "ref") return resolveJobs(selector, ctx);
  try {
    return await byRef(selector, ctx);
  } catch (e) {
    if (!(
      e instanceof GitLabError &&
      ctx.api.client.jobToken &&
      [401, 403, 404].includes(e.status)
    ))
      throw e;
    ctx.log.warn(
      `${selector.name}: the job id is unknown: this GitLab does not let a CI job token list pipelines (${e.gitlab}), so GitLab's ref endpoint finds the job itself; set ${setting("token")} to an access token with read_api to know the job`,
    );
    return { targets: [refJob(selector, ctx.api)], missing: [] };
  }
}

/** GitLab's ref URLs: GitLab finds the job when they are fetched. */
function refJob({ ref, name }: ByRef, api: GitLabApi): RefJob {
  const browse = `jobs/artifacts/${encodeURIComponent(ref)}/browse?job=${encodeURIComponent(name)}`;
  return {
    kind: "ref",
    ref,
    name,
    label: `${name} of ref ${ref}`,
    webUrl: api.webUrl(browse),
    archiveUrl: api.refUrl(ref, name),
  };
}

/**
 * The job GitLab's ref endpoints serve (`Project#latest_successful_build_for_ref`,
 * app/models/project.rb, and `Ci::Pipeline#build_with_artifacts_in_self_and_project_descendants`,
 * app/models/ci/pipeline.rb): in the newest successful pipeline of exactly that ref, then its
 * same-project descendants by id, the first non-retried job of that name with any downloadable
 * artifact (a report counts too); when that job has no archive, GitLab answers 404.
 */
async function byRef(selector: ByRef, ctx: ResolveContext): Promise<Resolved<Target>> {
  const { api, log } = ctx;
  const { ref, name } = selector;
  const newest = await api.newestSuccessfulPipeline(ref);
  if (!newest)
    return {
      targets: [],
      missing: [{ why: `no successful pipeline of ${ref}, so no job ${JSON.stringify(name)}` }],
    };
  // The list also holds pipelines the ref lookup skips: dangling sources (webide, DAST...) and,
  // on newer GitLab, merge request pipelines of the branch. Then only GitLab knows the job.
  if (newest.ref !== ref || DANGLING_SOURCES.has(newest.source)) {
    log.warn(
      `${name}: the job id is unknown: pipeline ${newest.id} (${newest.source} on ${newest.ref}), the newest successful one listed for ${ref}, is not one GitLab's ref lookup starts from, so GitLab's ref endpoint finds the job itself`,
    );
    return { targets: [refJob(selector, api)], missing: [] };
  }
  const where = `pipeline ${newest.id} (the newest successful pipeline of ${ref}) or its child pipelines`;
  const hierarchy = await log.group(`Finding ${name} in ${where}`, () =>
    readHierarchy(api, newest.id, true, log),
  );
  const found = { targets: [], pipelineId: newest.id };
  const jobs = inSearchOrder(hierarchy);
  const job = jobs.find((j) => j.name === name && downloadable(j));
  if (!job)
    return {
      ...found,
      missing: [
        {
          why: `no job ${JSON.stringify(name)} with artifacts in ${where}`,
          hint: closeNames(name, [...new Set(jobs.map((j) => j.name))]),
        },
      ],
    };
  if (!hasArchive(job))
    return {
      ...found,
      missing: [
        {
          why: `${job.name} (job ${job.id} of pipeline ${job.pipeline.id}), the job GitLab's ref endpoints choose in ${where}, has reports but no artifacts archive`,
        },
      ],
    };
  const target = jobTarget(job, api);
  log.info(
    `${name}: job ${target.id} of pipeline ${target.pipelineId} (${target.status}), from the newest successful pipeline of ${ref}, not the running pipeline`,
  );
  return { ...found, targets: [target], missing: [] };
}

/** Whether GitLab's ref lookup counts the job: any artifact of a downloadable type. */
const downloadable = (job: ApiJob) =>
  job.artifacts_file !== undefined ||
  (job.artifacts ?? []).some((a) => DOWNLOADABLE_TYPES.has(a.file_type));

/** A listed job as a target, in its own project when that is not the one given. */
function jobTarget(job: ApiJob, api: GitLabApi, project?: string): Job {
  return {
    kind: "job",
    id: job.id,
    name: job.name,
    label: `${job.name} (job ${job.id})`,
    pipelineId: job.pipeline.id,
    status: job.status,
    webUrl: job.web_url,
    archiveUrl: (project === undefined ? api : api.forProject(project)).archiveUrl(job.id),
    ...(project === undefined ? {} : { project }),
    size: archiveSize(job),
    expiresAt: job.artifacts_expire_at,
  };
}

/** Selectors that end in job ids. */
export async function resolveJobs(
  selector: JobSelector,
  ctx: ResolveContext,
): Promise<Resolved<Job>> {
  if (selector.kind === "names") return byNames(selector, ctx);
  return {
    targets: selector.ids.map((id) => ({
      kind: "job",
      id,
      name: `job ${id}`,
      label: `job ${id}`,
      pipelineId: undefined,
      status: undefined,
      webUrl: ctx.api.webUrl(`jobs/${id}`),
      archiveUrl: ctx.api.archiveUrl(id),
      size: 0,
      expiresAt: undefined,
    })),
    missing: [],
  };
}

/** Finds the jobs by name in the pipeline (and its children), waiting for them if asked. */
async function byNames(selector: ByNames, ctx: ResolveContext): Promise<Resolved<Job>> {
  const { api, log } = ctx;
  const { pipelineId } = selector;
  const hierarchy = await log.group(
    `Finding ${selector.patterns.map((p) => p.text).join(", ")} in pipeline ${pipelineId}`,
    async () => {
      const own = await readHierarchy(api, pipelineId, selector.childPipelines, log);
      const h = selector.upstream ? await withUpstream(own, selector.upstream, ctx) : own;
      const count = [...h.jobs.values()].reduce((n, jobs) => n + jobs.length, 0);
      const children = own.pipelines.slice(1);
      const upstream = h.pipelines.slice(own.pipelines.length);
      log.info(
        `${count} jobs in pipeline ${pipelineId}${children.length > 0 ? ` and ${children.length} child pipeline(s) (${children.join(", ")})` : ""}${upstream.length > 0 ? ` and upstream pipeline(s) ${upstream.join(", ")}` : ""}`,
      );
      return h;
    },
  );
  const where = `pipeline ${pipelineId}${selector.childPipelines ? " or its child pipelines" : ""}${selector.upstream ? ` or upstream pipeline ${selector.upstream.pipelineId}` : ""}`;
  const found = selectJobs(selector.patterns, hierarchy, selector.self);
  const { self } = found;
  const itself = (p: NamePattern) => self !== undefined && select(p, [self.name]).length > 0;
  if (self)
    log.info(
      `${self.name} (job ${self.id}) is the job running this and is left out, though it matches`,
    );
  const names = [...new Set([...hierarchy.jobs.values()].flat().map((j) => j.name))];
  const missing: Missing[] = found.unmatched.map((p) =>
    itself(p)
      ? {
          why: `${JSON.stringify(p.text)} matches only ${self?.name} (job ${self?.id}), the job running this, in ${where}`,
        }
      : {
          why: `no job matches ${JSON.stringify(p.text)} in ${where}`,
          hint: closeNames(p.text, names),
        },
  );
  for (const s of found.selected)
    log.debug(
      `${JSON.stringify(s.pattern.text)} selects ${s.job.name} (job ${s.job.id} of pipeline ${s.job.pipeline.id}, ${s.job.status})`,
    );
  let { selected } = found;

  const active = selected.filter((s) => awaited(s.job.status, selector.statuses));
  if (active.length > 0) {
    if (selector.waitMs === undefined)
      throw new RunError(
        `${active.map((s) => `${s.job.name} (job ${s.job.id}) is still ${s.job.status}`).join("; ")}`,
        `use ${setting("wait", "true")} to wait for it (up to ${setting("wait-timeout")}), or fetch the artifacts in a later stage`,
      );
    const waitMs = selector.waitMs;
    selected = await log.group("Waiting for jobs to finish", () =>
      waitForJobs(
        api,
        selected,
        { waitMs, statuses: selector.statuses, signal: ctx.signal },
        ctx.poll,
        log,
      ),
    );
  }

  const targets: Job[] = [];
  for (const { job } of selected) {
    const why = unqualified(job, selector.statuses);
    if (why) {
      missing.push({ why: `${job.name} (job ${job.id}) ${why}` });
      log.debug(`${job.name} (job ${job.id}) left out: ${why}`);
    } else targets.push(jobTarget(job, api, hierarchy.projects?.get(job.pipeline.id)));
  }
  for (const t of targets)
    log.info(`${t.name}: job ${t.id} of pipeline ${t.pipelineId} (${t.status})`);
  return { targets, missing, pipelineId };
}

const archiveOf = (job: ApiJob) => job.artifacts?.find((a) => a.file_type === "archive");

const hasArchive = (job: ApiJob) =>
  job.artifacts_file !== undefined || archiveOf(job) !== undefined;

const archiveSize = (job: ApiJob) => job.artifacts_file?.size ?? archiveOf(job)?.size ?? 0;

function unqualified(job: ApiJob, statuses: ReadonlySet<JobStatus>): string | undefined {
  if (!statuses.has(job.status))
    return `finished with status ${job.status}, and status accepts ${[...statuses].join(", ")}`;
  if (!hasArchive(job)) return "has no artifacts archive (none uploaded, expired or deleted)";
  return undefined;
}

/** For a name that matched nothing: the job names that come close, if any. */
function closeNames(text: string, names: string[]): string | undefined {
  const near = nearest(names, text, 3);
  return near.length > 0
    ? `did you mean ${near.map((n) => JSON.stringify(n)).join(" or ")}?`
    : undefined;
}

/**
 * The search after this pipeline and its children: the upstream pipeline (in its own project
 * when it is another's), then its other children — GitLab's order, parent first.
 */
async function withUpstream(
  own: Hierarchy,
  upstream: { pipelineId: number; project: string | undefined },
  ctx: ResolveContext,
): Promise<Hierarchy> {
  const api = upstream.project === undefined ? ctx.api : ctx.api.forProject(upstream.project);
  ctx.log.info(
    `also searching upstream pipeline ${upstream.pipelineId}${upstream.project === undefined ? "" : ` of project ${upstream.project}`} and its child pipelines`,
  );
  const up = await readHierarchy(api, upstream.pipelineId, true, ctx.log);
  const jobs = new Map(own.jobs);
  const pipelines = [...own.pipelines];
  const projects = new Map<number, string>();
  for (const id of up.pipelines)
    if (!jobs.has(id)) {
      jobs.set(id, up.jobs.get(id) ?? []);
      pipelines.push(id);
      if (upstream.project !== undefined) projects.set(id, upstream.project);
    }
  return { pipelines, jobs, projects };
}
