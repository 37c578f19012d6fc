/** What list, keep and delete share: resolve the jobs, then one call per job, in order. */
import type { GitLabApi } from "../gitlab/api.ts";
import type { JobsOptions } from "../options.ts";
import type { JobInfo, JobResult, Result } from "../report.ts";
import { type Job, resolveJobs, type Target } from "../resolve/targets.ts";
import { resultOf, type Session, settle } from "./session.ts";

export async function eachJob<M extends "list" | "keep" | "delete">(
  options: JobsOptions<M>,
  session: Session,
  act: (job: Job) => Promise<JobResult>,
): Promise<Result> {
  const found = await resolveJobs(options.selector, session);
  const missing = settle(found.missing, options.ifNoArtifactFound, session.log);
  const jobs: JobResult[] = [];
  // One at a time: a refusal stops the run before the next job is changed.
  for (const job of found.targets) jobs.push(await act(job));
  return resultOf(options, jobs, missing, { pipelineId: found.pipelineId });
}

/** The API URL of one file of a target's archive (in the job's own project). */
export function fileUrlOf(api: GitLabApi, t: Target, path: string): string {
  if (t.kind === "ref") return api.refUrl(t.ref, t.name, path);
  return (t.project === undefined ? api : api.forProject(t.project)).fileUrl(t.id, path);
}

/** A target as results name it; `fileUrl` when one file of its archive is meant. */
export function info(t: Target, fileUrl?: string): JobInfo {
  const urls = { webUrl: t.webUrl, archiveUrl: t.archiveUrl, ...(fileUrl ? { fileUrl } : {}) };
  if (t.kind === "ref")
    return {
      id: undefined,
      name: t.name,
      pipelineId: undefined,
      status: undefined,
      ...urls,
      bytes: 0,
    };
  return {
    id: t.id,
    name: t.name,
    pipelineId: t.pipelineId,
    status: t.status,
    ...urls,
    bytes: t.size,
    expiresAt: t.expiresAt,
  };
}
