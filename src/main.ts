/**
 * run(options): the one entry every face calls. Options -> client -> resolve -> transfer ->
 * archive -> report. Faces translate inputs in and the Result out; nothing here knows of them.
 */
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import {
  commit,
  discard,
  entryNames,
  removeIfEmpty,
  type Staged,
  stage,
  ZIP_OPTIONS,
} from "./archive/extract.ts";
import { nearest, pathMatcher } from "./archive/paths.ts";
import { RunError } from "./errors.ts";
import { type ApiJob, GitLabApi, mapLimit } from "./gitlab/api.ts";
import { GitLabClient, type RetryPolicy } from "./gitlab/client.ts";
import { GitLabError } from "./gitlab/errors.ts";
import type { Options } from "./inputs.ts";
import { formatBytes, type Log } from "./log.ts";
import type { JobResult, Result } from "./report.ts";
import {
  DEFAULT_POLL,
  awaited,
  type PollPolicy,
  readHierarchy,
  selectJobs,
  waitForJobs,
} from "./resolve/jobs.ts";
import { download } from "./transfer/download.ts";
import { RangesIgnored, RemoteArchive } from "./transfer/remote-zip.ts";

export interface RunContext {
  log: Log;
  /** Retry and poll timing; tests shorten them. */
  retry?: RetryPolicy;
  poll?: PollPolicy;
  userAgent?: string;
  /** How often progress is reported at most, ms. */
  progressEveryMs?: number;
}

/** A job to act on, whether found by name, given by id, or looked up by GitLab through a ref. */
interface Target {
  /** Unknown when GitLab looks the job up by ref. */
  id: number | undefined;
  name: string;
  /** How messages name it. */
  label: string;
  /** What to download: the archive, or one file of it. */
  url: string;
  pipelineId: number | undefined;
  status: string | undefined;
  webUrl: string;
  /** Archive size GitLab reported (0 when unknown). */
  size: number;
  expiresAt: string | null | undefined;
}

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
  const projectUrl = `${new URL(options.gitlabUrl).origin}/${options.project}`;
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
        webUrl: `${projectUrl}/-/jobs/artifacts/${encodeURIComponent(options.ref)}/browse?job=${encodeURIComponent(name)}`,
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
      webUrl: `${projectUrl}/-/jobs/${id}`,
      size: 0,
      expiresAt: undefined,
    }));
  } else
    targets = (await resolveTargets(api, options, context, missing)).map((t) => ({
      ...t,
      url: urlOf(t.id as number),
    }));

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

/** list, keep and delete (and any mode with dry-run): one call per job, in order, never a job not resolved. */
async function actOn(
  api: GitLabApi,
  targets: Target[],
  options: Options,
  log: Log,
): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const t of targets) {
    const base = {
      id: t.id,
      name: t.name,
      pipelineId: t.pipelineId,
      status: t.status,
      webUrl: t.webUrl,
      path: "",
      files: [],
      bytes: t.size,
      sha256: "",
      expiresAt: t.expiresAt,
    };
    const { label } = t;
    const id = t.id as number; // list, keep and delete always name jobs by id (ref is download-only)
    if (options.mode === "keep") {
      if (!options.dryRun) {
        const kept = await api.keep(id);
        base.expiresAt = kept.artifacts_expire_at;
        log.info(
          `${label}: artifacts kept${kept.artifacts_expire_at ? ` until ${kept.artifacts_expire_at}` : " with no expiry"}`,
        );
      }
      results.push({ ...base, action: "kept" });
    } else if (options.mode === "delete") {
      if (!options.dryRun) {
        await api.deleteArtifacts(id);
        log.info(`${label}: artifacts deleted`);
      }
      results.push({ ...base, action: "deleted" });
    } else if (options.mode === "list") {
      results.push({ ...base, action: "listed", storage: await api.storageOf(id) });
    } else {
      results.push({ ...base, action: "downloaded" });
    }
  }
  return results;
}

/** Finds the jobs by name in the pipeline (and its children), waiting for them if asked. */
async function resolveTargets(
  api: GitLabApi,
  options: Options,
  context: RunContext,
  missing: string[],
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
        url: "",
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

/**
 * `paths`: stages only the wanted entries, read where the archive lies through HTTP ranges; when
 * the server ignores ranges, downloads the whole archive (and says so once). Undefined when no
 * entry matched.
 */
async function readRemotely(
  api: GitLabApi,
  target: Target,
  dest: string,
  options: Options,
  log: Log,
  said: Set<string>,
): Promise<Fetched | undefined> {
  const wanted = pathMatcher(options.paths ?? []);
  const what = `the artifacts of ${target.label}`;
  const remote = new RemoteArchive(api.client, target.url, what);
  let staged: Staged;
  let bytes: number;
  let sha256 = "";
  try {
    await remote.open();
    staged = await stage(() => remote.zip(ZIP_OPTIONS), dest, options.limits, target.label, wanted);
    bytes = remote.received;
    log.info(
      `${target.label}: ${staged.files.length} file(s) read from a ${formatBytes(remote.size)} archive, ${formatBytes(bytes)} transferred`,
    );
  } catch (e) {
    if (!(e instanceof RangesIgnored)) throw e;
    if (!said.has("ranges")) log.warn(`${e.message}; downloading whole archives instead`);
    said.add("ranges");
    const got = await download({ client: api.client, url: target.url, dir: dest, what });
    try {
      staged = await stage(got.file, dest, options.limits, target.label, wanted);
    } finally {
      await rm(got.file, { force: true });
    }
    ({ bytes, sha256 } = got);
  }
  if (staged.files.length === 0) {
    await discard(staged);
    return undefined;
  }
  return { target, dest, bytes, sha256, staged };
}

/**
 * For a file not found in an archive: names in it that come close, read from its central
 * directory through HTTP ranges when the server allows (else the general advice).
 */
async function nearHint(api: GitLabApi, target: Target, options: Options): Promise<string> {
  const advice = "names in an archive are exact and case-sensitive, with forward slashes";
  if (options.artifactPath === undefined || target.id === undefined) return advice;
  const remote = new RemoteArchive(
    api.client,
    api.archiveUrl(target.id),
    `the artifacts of ${target.label}`,
  );
  try {
    await remote.open();
    const near = nearest(await entryNames(await remote.zip(ZIP_OPTIONS)), options.artifactPath);
    return near.length > 0 ? `${advice}; close names in it: ${near.join(", ")}` : advice;
  } catch {
    return advice;
  }
}

/** Why a 404 on a download means "nothing there" rather than a failure, in words. */
function notThere(e: GitLabError, target: Target, options: Options): string | undefined {
  // Workhorse answers a missing entry with Go's plain-text 404.
  if (options.artifactPath !== undefined && e.gitlab === "404 page not found")
    return `${target.label}: no file ${JSON.stringify(options.artifactPath)} in its artifacts`;
  if (options.ref !== undefined)
    return `no job ${JSON.stringify(target.name)} with artifacts in the newest successful pipeline of ${options.ref} or its child pipelines (${e.gitlab})`;
  if (options.jobIds.length > 0 || options.artifactPath !== undefined)
    return `${target.label}: ${e.gitlab}`;
  return undefined;
}

/** A job name as a folder or file name: no path separators or control characters. */
export const safeName = (name: string) =>
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  name.replace(/[/\\:*?"<>|\x00-\x1f]/g, "_").replace(/^\.+/, "_");

interface Fetched {
  target: Target;
  dest: string;
  bytes: number;
  sha256: string;
  staged?: Staged;
  zip?: string;
}

/** Downloads (and stages) every target concurrently; then puts them in place in order. */
async function fetchAll(
  api: GitLabApi,
  targets: Target[],
  options: Options,
  context: RunContext,
  missing: string[],
): Promise<JobResult[]> {
  const { log } = context;
  const several = targets.length > 1;
  const destOf = (t: Target) =>
    several && !options.merge ? join(options.path, safeName(t.name)) : options.path;
  const created: string[] = [];
  const fetched: (Fetched | undefined)[] = [];
  /** Warnings given once a run. */
  const said = new Set<string>();
  try {
    const all = await mapLimit(targets, options.concurrency, async (target, i) => {
      const dest = destOf(target);
      // mkdir answers the first folder it had to create: that is what to remove on failure.
      const made = await mkdir(dest, { recursive: true });
      if (made) created.push(made, dest);
      const { label } = target;
      if (options.paths) {
        const item = await readRemotely(api, target, dest, options, log, said);
        if (item) fetched[i] = item;
        else missing.push(`${label}: no file matches ${options.paths.join(", ")} in its artifacts`);
        if (!item && options.ifNoArtifactFound === "fail")
          throw new RunError(
            `no artifacts for ${missing.at(-1)}`,
            "names in an archive are exact and case-sensitive",
          );
        return item;
      }
      const what =
        options.artifactPath === undefined
          ? `the artifacts of ${label}`
          : `${options.artifactPath} from the artifacts of ${label}`;
      let got: Awaited<ReturnType<typeof download>>;
      try {
        got = await download({
          client: api.client,
          url: target.url,
          dir: dest,
          what,
          progress: progressReporter(target.name, log, context.progressEveryMs ?? 5_000),
        });
      } catch (e) {
        // Nothing to fetch for a job we could not check beforehand (given by id or ref, or a
        // file that is not in its archive): reported like a job found without artifacts.
        const why =
          e instanceof GitLabError && e.status === 404 ? notThere(e, target, options) : undefined;
        if (!why) throw e;
        if (options.ifNoArtifactFound === "fail")
          throw new RunError(why, await nearHint(api, target, options));
        missing.push(why);
        return undefined;
      }
      log.info(
        `${label}: ${formatBytes(got.bytes)} downloaded${got.resumes ? ` (resumed ${got.resumes} time(s))` : ""}, sha256 ${got.sha256}`,
      );
      const item: Fetched = { target, dest, bytes: got.bytes, sha256: got.sha256 };
      fetched[i] = item;
      if (!options.extract || options.artifactPath !== undefined) {
        item.zip = got.file;
        return item;
      }
      try {
        item.staged = await stage(got.file, dest, options.limits, label);
      } finally {
        await rm(got.file, { force: true });
      }
      return item;
    });

    const results: JobResult[] = [];
    for (const item of all) {
      if (!item) continue;
      const { target, dest } = item;
      let path = dest;
      let files: string[];
      if (item.staged) {
        await commit(item.staged, dest);
        files = item.staged.files.map((f) =>
          toPosix(relative(options.path, join(dest, ...f.split("/")))),
        );
      } else {
        path =
          options.artifactPath !== undefined
            ? join(dest, ...options.artifactPath.split("/"))
            : join(
                several && options.merge ? options.path : dest,
                several && options.merge ? `${safeName(target.name)}.zip` : "artifacts.zip",
              );
        await mkdir(dirname(path), { recursive: true });
        await rename(item.zip as string, path);
        files = [toPosix(relative(options.path, path))];
      }
      results.push({
        ...target,
        action: "downloaded",
        path,
        files,
        bytes: item.bytes,
        sha256: item.sha256,
      });
    }
    return results;
  } catch (e) {
    // Leave nothing half-written: staged folders and partial downloads go, and the folders this
    // run created, if they are still empty.
    for (const item of fetched) {
      if (item?.staged) await discard(item.staged);
      if (item?.zip) await rm(item.zip, { force: true });
    }
    // Deepest first: each job's folder, then the first folder its mkdir made.
    for (const dir of created.reverse()) await removeIfEmpty(dir);
    throw e;
  }
}

const toPosix = (p: string) => p.split(sep).join("/");

function conflicts(jobs: JobResult[]): string[] {
  const seen = new Map<string, number>();
  for (const j of jobs) for (const f of j.files) seen.set(f, (seen.get(f) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([f]) => f);
}

/** Progress at a calm rate: at most one line per interval, none for quick downloads. */
function progressReporter(name: string, log: Log, everyMs: number) {
  const started = Date.now();
  let last = started;
  return (received: number, total: number | undefined) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    const rate = received / Math.max((now - started) / 1000, 0.001);
    const of = total ? ` of ${formatBytes(total)} (${Math.floor((received / total) * 100)}%)` : "";
    log.info(`${name}: ${formatBytes(received)}${of} at ${formatBytes(rate)}/s`);
  };
}
