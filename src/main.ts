/**
 * run(options): the one entry every face calls. Options -> client -> resolve -> transfer ->
 * archive -> report. Faces translate inputs in and the Result out; nothing here knows of them.
 */
import { actOn } from "./commands/act.ts";
import { conflicts, fetchAll } from "./commands/download.ts";
import type { RunContext, Target } from "./commands/target.ts";
import { RunError } from "./errors.ts";
import { type ApiJob, GitLabApi } from "./gitlab/api.ts";
import { GitLabClient } from "./gitlab/client.ts";
import type { Options } from "./inputs.ts";
import type { Result } from "./report.ts";
import { awaited, DEFAULT_POLL, readHierarchy, selectJobs, waitForJobs } from "./resolve/jobs.ts";

export async function run(options: Options, context: RunContext): Promise<Result> {
  const { log } = context;
  const client = new GitLabClient({
    baseUrl: options.gitlabUrl,
    token: options.token,
    caFile: options.caFile,
    retry: context.retry,
    userAgent: context.userAgent,
    onRetry: (message) => log.warn(message),
  });
  const api = new GitLabApi(client, options.project);

  const result: Result = {
    mode: options.mode,
    dryRun: options.dryRun,
    pipelineId: options.pipelineId,
    downloadPath: options.path,
    jobs: [],
    found: false,
    missing: [],
    conflicts: [],
  };
  if (options.mode === "delete-project") {
    result.note = options.dryRun
      ? `Would ask GitLab to delete the artifacts of every job in project ${options.project} (the newest successful pipeline of each ref is kept).`
      : `GitLab accepted deleting the artifacts of project ${options.project} (${await api.deleteProjectArtifacts()}); it deletes them in the background and keeps the newest successful pipeline of each ref.`;
    log.info(result.note);
    return result;
  }

  const missing = result.missing;
  // Web URLs need the project's path; a numeric id does not give one, so they stay empty then.
  const web = (rest: string) =>
    /^\d+$/.test(options.project)
      ? ""
      : `${new URL(options.gitlabUrl).origin}/${options.project}/-/${rest}`;
  const urlOf = (id: number) =>
    options.artifactPath === undefined ? api.archiveUrl(id) : api.fileUrl(id, options.artifactPath);
  let targets: Target[];
  if (options.ref !== undefined) {
    // GitLab finds the job itself: its id is not known here.
    const name = options.jobs[0]?.text ?? "";
    result.ref = options.ref;
    log.info(
      `${name}: from the newest successful pipeline of ${options.ref} (GitLab's ref lookup), not the running pipeline`,
    );
    targets = [
      {
        id: undefined,
        name,
        label: `${name} of ref ${options.ref}`,
        url: api.refUrl(options.ref, name, options.artifactPath),
        pipelineId: undefined,
        status: undefined,
        webUrl: web(
          `jobs/artifacts/${encodeURIComponent(options.ref)}/browse?job=${encodeURIComponent(name)}`,
        ),
        size: 0,
        expiresAt: undefined,
      },
    ];
  } else if (options.jobIds.length > 0) {
    targets = options.jobIds.map((id): Target => ({
      id,
      name: `job ${id}`,
      label: `job ${id}`,
      url: urlOf(id),
      pipelineId: undefined,
      status: undefined,
      webUrl: web(`jobs/${id}`),
      size: 0,
      expiresAt: undefined,
    }));
  } else targets = await resolveTargets(api, options, context, missing, urlOf);

  if (missing.length > 0 && options.ifNoArtifactFound === "fail")
    throw new RunError(
      `no artifacts for ${missing.join("; ")}`,
      "set if-no-artifact-found to warn or ignore if that is expected",
    );

  if (targets.length > 0) {
    if (options.mode === "download" && !options.dryRun)
      result.jobs = await fetchAll(api, targets, options, context, missing);
    else result.jobs = await actOn(api, targets, options, log);
  }
  result.found = result.jobs.length > 0;

  if (missing.length > 0 && options.ifNoArtifactFound === "warn")
    log.warn(`no artifacts for ${missing.join("; ")}`);
  if (options.merge) result.conflicts = conflicts(result.jobs);
  return result;
}

/** Finds the jobs by name in the pipeline (and its children), waiting for them if asked. */
async function resolveTargets(
  api: GitLabApi,
  options: Options,
  context: RunContext,
  missing: string[],
  urlOf: (id: number) => string,
): Promise<Target[]> {
  const { log } = context;
  const pipelineId = options.pipelineId as number;
  const hierarchy = await log.group(
    `Finding ${options.jobs.map((p) => p.text).join(", ")} in pipeline ${pipelineId}`,
    async () => {
      const h = await readHierarchy(api, pipelineId, options.childPipelines, log);
      const count = [...h.jobs.values()].reduce((n, jobs) => n + jobs.length, 0);
      log.info(
        `${count} jobs in pipeline ${pipelineId}${h.pipelines.length > 1 ? ` and ${h.pipelines.length - 1} child pipeline(s) (${h.pipelines.slice(1).join(", ")})` : ""}`,
      );
      return h;
    },
  );
  const where = `pipeline ${pipelineId}${options.childPipelines ? " or its child pipelines" : ""}`;
  const found = selectJobs(options.jobs, hierarchy);
  const { unmatched } = found;
  let { selected } = found;
  for (const p of unmatched) missing.push(`no job matches ${JSON.stringify(p.text)} in ${where}`);

  const active = selected.filter((s) => awaited(s.job.status, options.statuses));
  if (active.length > 0) {
    if (!options.wait)
      throw new RunError(
        `${active.map((s) => `${s.job.name} (job ${s.job.id}) is still ${s.job.status}`).join("; ")}`,
        "set wait to true to wait for it (up to wait-timeout), or fetch the artifacts in a later stage",
      );
    selected = await log.group("Waiting for jobs to finish", () =>
      waitForJobs(api, selected, options, context.poll ?? DEFAULT_POLL, log),
    );
  }

  const targets: Target[] = [];
  for (const { job } of selected) {
    const why = unqualified(job, options);
    if (why) missing.push(`${job.name} (job ${job.id}) ${why}`);
    else
      targets.push({
        id: job.id,
        name: job.name,
        label: `${job.name} (job ${job.id})`,
        url: urlOf(job.id),
        pipelineId: job.pipeline.id,
        status: job.status,
        webUrl: job.web_url,
        size:
          job.artifacts_file?.size ??
          job.artifacts?.find((a) => a.file_type === "archive")?.size ??
          0,
        expiresAt: job.artifacts_expire_at,
      });
  }
  for (const t of targets)
    log.info(`${t.name}: job ${t.id} of pipeline ${t.pipelineId} (${t.status})`);
  return targets;
}

function unqualified(job: ApiJob, options: Options): string | undefined {
  if (!options.statuses.has(job.status))
    return `finished with status ${job.status}, and status accepts ${[...options.statuses].join(", ")}`;
  const hasArchive =
    job.artifacts_file !== undefined || job.artifacts?.some((a) => a.file_type === "archive");
  if (!hasArchive) return "has no artifacts archive (none uploaded, expired or deleted)";
  return undefined;
}
