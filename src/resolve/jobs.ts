/**
 * From job names to jobs: the pipeline and (optionally) its child pipelines, parent first like
 * GitLab; the newest attempt of each name; statuses that qualify; waiting for jobs still running.
 */
import { RunError, setting } from "../errors.ts";
import type { ApiBridge, ApiJob, GitLabApi, JobStatus } from "../gitlab/api.ts";
import { GitLabError } from "../gitlab/errors.ts";
import type { Log } from "../log.ts";
import { type NamePattern, select } from "./match.ts";

/** Statuses of a job that has not finished yet. */
const ACTIVE: ReadonlySet<JobStatus> = new Set([
  "created",
  "waiting_for_resource",
  "preparing",
  "waiting_for_callback",
  "pending",
  "running",
  "canceling",
  "scheduled",
]);

export interface Hierarchy {
  /** The pipeline, then its same-project descendants by id: GitLab's search order. */
  pipelines: number[];
  jobs: Map<number, ApiJob[]>;
  /** Pipelines of another project (a multi-project upstream's), by id: that project. */
  projects?: Map<number, string>;
}

/**
 * Lists the jobs of a pipeline and, through trigger jobs, of its child pipelines: each level of
 * the tree at once, a pipeline's jobs and trigger jobs together (the API bounds the pages in
 * flight).
 */
export async function readHierarchy(
  api: GitLabApi,
  root: number,
  children: boolean,
  log: Log,
): Promise<Hierarchy> {
  const jobs = new Map<number, ApiJob[]>();
  const found = new Set([root]);
  let searchChildren = children;
  const bridgesOf = async (id: number): Promise<ApiBridge[]> => {
    try {
      return await api.listBridges(id);
    } catch (e) {
      // Older GitLab lets a job token list jobs but not trigger jobs: go on without children.
      if (e instanceof GitLabError && api.client.jobToken && id === root) {
        log.warn(
          `child pipelines not searched: this GitLab does not let a CI job token list trigger jobs (${e.gitlab}); set ${setting("token")} to an access token with read_api to include them, or ${setting("child-pipelines", "false")} to silence this`,
        );
        searchChildren = false;
        return [];
      }
      throw e;
    }
  };
  for (let level = [root]; level.length > 0;) {
    const read = await Promise.all(
      level.map((id) =>
        Promise.all([api.listPipelineJobs(id), searchChildren ? bridgesOf(id) : []]),
      ),
    );
    const next: number[] = [];
    for (const [i, [list, bridges]] of read.entries()) {
      jobs.set(level[i] ?? 0, list);
      if (!searchChildren) continue;
      for (const bridge of bridges) {
        const child = bridge.downstream_pipeline;
        // Multi-project downstream pipelines belong to other projects: GitLab's search skips them too.
        if (child && child.project_id === bridge.pipeline.project_id && !found.has(child.id)) {
          found.add(child.id);
          next.push(child.id);
        }
      }
    }
    level = next;
  }
  const descendants = [...found].filter((id) => id !== root).sort((a, b) => a - b);
  return { pipelines: [root, ...descendants], jobs };
}

/** Every job of the hierarchy in GitLab's search order: pipeline by pipeline, each by job id. */
export const inSearchOrder = (h: Hierarchy): ApiJob[] =>
  h.pipelines.flatMap((id) => (h.jobs.get(id) ?? []).slice().sort((a, b) => a.id - b.id));

export interface Selected {
  pattern: NamePattern;
  job: ApiJob;
}

export interface Selection {
  selected: Selected[];
  unmatched: NamePattern[];
  /** The running job, when a pattern matched it: it is never selected. */
  self: ApiJob | undefined;
}

/**
 * For each pattern, each name it selects, the first job of that name in search order. The job
 * running the tool (`self`, its CI_JOB_ID) is never selected: a relay job named like its target
 * (`build-fetch` for `build*`) would otherwise wait for itself.
 */
export function selectJobs(patterns: NamePattern[], h: Hierarchy, self?: number): Selection {
  const byName = new Map<string, ApiJob>();
  let running: ApiJob | undefined;
  for (const job of inSearchOrder(h))
    if (job.id === self) running = job;
    else if (!byName.has(job.name)) byName.set(job.name, job);
  const selected: Selected[] = [];
  const unmatched: NamePattern[] = [];
  const taken = new Set<number>();
  for (const pattern of patterns) {
    const names = select(pattern, byName.keys());
    if (names.length === 0) unmatched.push(pattern);
    for (const name of names) {
      const job = byName.get(name);
      if (job && !taken.has(job.id)) {
        taken.add(job.id);
        selected.push({ pattern, job });
      }
    }
  }
  const matchedSelf = running && patterns.some((p) => select(p, [running.name]).length > 0);
  return { selected, unmatched, self: matchedSelf ? running : undefined };
}

/** A job worth waiting for: not finished, and not in a status the user accepts as it is. */
export const awaited = (status: JobStatus, accepted: ReadonlySet<JobStatus>) =>
  ACTIVE.has(status) && !accepted.has(status);

export interface PollPolicy {
  /** First wait between polls. */
  initialMs: number;
  maxMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_POLL: PollPolicy = {
  initialMs: 5_000,
  maxMs: 30_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * Polls until no selected job is active, re-reading only the pipelines that hold active jobs
 * (a job retried meanwhile is followed to its new attempt by name). Says which jobs it waits
 * for and how their statuses change.
 */
export async function waitForJobs(
  api: GitLabApi,
  selected: Selected[],
  options: { waitMs: number; statuses: ReadonlySet<JobStatus>; signal?: AbortSignal },
  poll: PollPolicy,
  log: Log,
): Promise<Selected[]> {
  const started = Date.now();
  let current = selected;
  let delay = poll.initialMs;
  const describe = (s: Selected) => `${s.job.name} (${s.job.status})`;
  const unfinished = (s: Selected) => awaited(s.job.status, options.statuses);
  log.info(`waiting for ${current.filter(unfinished).map(describe).join(", ")}`);
  for (;;) {
    const active = current.filter(unfinished);
    if (active.length === 0) return current;
    const elapsed = Date.now() - started;
    if (elapsed >= options.waitMs)
      throw new RunError(
        `timed out after ${Math.round(elapsed / 1000)} s waiting for ${active.map(describe).join(", ")}`,
        `raise ${setting("wait-timeout")}, or fetch the artifacts in a later stage`,
      );
    await abortable(poll.sleep(Math.min(delay, options.waitMs - elapsed)), options.signal);
    delay = Math.min(delay * 1.5, poll.maxMs);
    const pipelines = [...new Set(active.map((s) => s.job.pipeline.id))];
    const fresh = new Map<number, ApiJob[]>();
    for (const id of pipelines) fresh.set(id, await api.listPipelineJobs(id));
    current = current.map((s) => {
      const jobs = fresh.get(s.job.pipeline.id);
      if (!jobs) return s;
      const now = jobs.filter((j) => j.name === s.job.name).sort((a, b) => b.id - a.id)[0];
      if (!now) return s;
      if (now.status !== s.job.status || now.id !== s.job.id)
        log.info(
          `${s.job.name}: ${s.job.status} -> ${now.status}${now.id !== s.job.id ? ` (retried as job ${now.id})` : ""}`,
        );
      return { ...s, job: now };
    });
  }
}

/** A wait that a stopped run cuts short, rejecting with the signal's reason. */
function abortable(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const stop = () => reject(signal.reason as Error);
    signal.addEventListener("abort", stop, { once: true });
    wait.then(
      () => {
        signal.removeEventListener("abort", stop);
        resolve();
      },
      (e: unknown) => {
        signal.removeEventListener("abort", stop);
        reject(e as Error);
      },
    );
  });
}
