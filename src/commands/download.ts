/**
 * download: every target's archive (or one file of it, or the wanted files read remotely)
 * fetched concurrently, staged, then put in place in order; nothing half-written on failure.
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
} from "../archive/extract.ts";
import { nearest, pathMatcher } from "../archive/paths.ts";
import { RunError } from "../errors.ts";
import { type GitLabApi, mapLimit } from "../gitlab/api.ts";
import { GitLabError } from "../gitlab/errors.ts";
import type { Options } from "../inputs.ts";
import { formatBytes, type Log } from "../log.ts";
import type { JobResult } from "../report.ts";
import { download } from "../transfer/download.ts";
import { RangesIgnored, RemoteArchive } from "../transfer/remote-zip.ts";
import type { RunContext, Target } from "./target.ts";
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
export async function fetchAll(
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

export function conflicts(jobs: JobResult[]): string[] {
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
