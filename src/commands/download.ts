/**
 * download: every job's artifacts fetched concurrently by the strategy the fetch asks for, then
 * put in place in order. Nothing is half-written: on any failure, what was fetched is dropped and
 * the folders this run created are removed if they are still empty.
 */
import { constants } from "node:fs";
import { access, mkdir, rename, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { commit, removeIfEmpty } from "../archive/extract.ts";
import { InputError } from "../errors.ts";
import type { GitLabApi } from "../gitlab/api.ts";
import type { DownloadOptions } from "../options.ts";
import {
  type Downloaded,
  filesUnder,
  isDownloaded,
  type JobInfo,
  type JobResult,
} from "../report.ts";
import { resolveTargets, type Target } from "../resolve/targets.ts";
import {
  drop,
  type Fetched,
  type Place,
  strategyFor,
  type TransferContext,
  type Wanted,
} from "../transfer/strategy.ts";
import { unregisterTemporary } from "../util/cleanup.ts";
import { mapLimit } from "../util/concurrency.ts";
import { fileUrlOf, info } from "./jobs.ts";
import { type Command, resultOf, settle } from "./session.ts";

/** A job name as a folder or file name: no path separators or control characters. */
export const safeName = (name: string) =>
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  name.replace(/[/\\:*?"<>|\x00-\x1f]/g, "_").replace(/^\.+/, "_");

export const download: Command<"download"> = async (options, session) => {
  const { api, log } = session;
  await checkFolder("path", options.path);
  if (options.cache) await checkFolder("cache", options.cache.root);
  const found = await resolveTargets(options.selector, session);
  const missing = settle(found.missing, options.ifNoArtifactFound, log);
  const { targets } = found;
  let jobs: JobResult[];
  const { fetch } = options;
  if (options.cache && !(fetch.kind === "archive" && fetch.extract))
    log.debug(
      "cache: not used, it holds whole archives extracted (not artifact-path, paths or extract: false)",
    );
  const infoOf = (t: Target) =>
    info(t, fetch.kind === "file" ? fileUrlOf(api, t, fetch.path) : undefined);
  if (options.dryRun)
    jobs = targets.map((t) => ({ ...infoOf(t), action: "would-download" as const }));
  else {
    const fetched = await fetchAll(api, targets, options, {
      client: api.client,
      limits: options.limits,
      log,
      progressEveryMs: session.progressEveryMs,
      said: new Set(),
      signal: session.signal,
      cache: options.cache,
    });
    try {
      const absent = fetched.items.flatMap((f) => (f.got.kind === "missing" ? [f.got] : []));
      missing.push(...settle(absent, options.ifNoArtifactFound, log));
      jobs = await placeAll(fetched.items, infoOf);
    } catch (e) {
      await cleanUp(fetched);
      throw e;
    }
  }
  const downloaded = jobs.filter(isDownloaded);
  return resultOf(options, jobs, missing, {
    pipelineId: found.pipelineId,
    downloadPath: options.path,
    conflicts: options.merge ? conflicts(downloaded, options.path) : [],
  });
};

interface Item {
  target: Target;
  place: Place;
  got: Fetched;
}

interface FetchedAll {
  items: Item[];
  /** Folders this run created, shallowest first. */
  created: string[];
}

/** Where each job's files go: a folder each for several jobs (unless merged), zips side by side. */
function placeOf(target: Target, options: DownloadOptions, several: boolean): Place {
  const name = safeName(target.name);
  const zipName = several ? `${name}.zip` : "artifacts.zip";
  const whole = options.fetch.kind === "archive" && !options.fetch.extract;
  const dir = several && !options.merge && !whole ? join(options.path, name) : options.path;
  return { dir, zipName };
}

/** What transfer/ needs to know of a target: its URLs, its cache entry, what a 404 would mean. */
function wantedOf(api: GitLabApi, target: Target, options: DownloadOptions): Wanted {
  const { label, name } = target;
  return {
    label,
    name,
    archiveUrl: target.archiveUrl,
    cacheKey:
      target.kind === "job"
        ? {
            host: new URL(options.connection.gitlabUrl).host,
            project: target.project ?? options.project,
            jobId: target.id,
          }
        : undefined,
    fileUrl: (path) => fileUrlOf(api, target, path),
    // A job found by name was listed with an archive; one given by id or ref was not checked.
    absent:
      target.kind === "ref"
        ? (gitlab) =>
            `no job ${JSON.stringify(name)} with artifacts in the newest successful pipeline of ${target.ref} or its child pipelines (${gitlab})`
        : target.pipelineId === undefined
          ? (gitlab) => `${label}: ${gitlab}`
          : undefined,
  };
}

/** Fetches every target, `concurrency` at a time; on failure drops what was fetched. */
async function fetchAll(
  api: GitLabApi,
  targets: Target[],
  options: DownloadOptions,
  ctx: TransferContext,
): Promise<FetchedAll> {
  const strategy = strategyFor(options.fetch);
  const done: FetchedAll = { items: [], created: [] };
  const slots: (Item | undefined)[] = [];
  try {
    await mapLimit(targets, options.concurrency, async (target, i) => {
      const place = placeOf(target, options, targets.length > 1);
      // mkdir answers the first folder it had to create: that is what to remove on failure.
      const made = await mkdir(place.dir, { recursive: true });
      if (made) done.created.push(made, place.dir);
      slots[i] = { target, place, got: await strategy(wantedOf(api, target, options), place, ctx) };
    });
  } catch (e) {
    done.items = slots.filter((s) => s !== undefined);
    await cleanUp(done);
    throw e;
  }
  done.items = slots.filter((s) => s !== undefined);
  return done;
}

/**
 * Puts each job's files in place, in the order the jobs were asked for. Each item leaves `items`
 * once placed, so that what remains after a failure is what is left to drop.
 */
async function placeAll(items: Item[], infoOf: (target: Target) => JobInfo): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (let item = items[0]; item !== undefined; items.shift(), item = items[0]) {
    const { got, place, target } = item;
    if (got.kind === "missing") continue;
    let files: string[];
    if (got.kind === "staged") {
      await commit(got.staged, place.dir);
      files = got.staged.files;
    } else {
      const to = join(place.dir, ...got.name.split("/"));
      await mkdir(dirname(to), { recursive: true });
      await rename(got.temp, to);
      unregisterTemporary(got.temp);
      files = [got.name];
    }
    results.push({
      ...infoOf(target),
      action: "downloaded",
      path: place.dir,
      files,
      bytes: got.bytes,
      ...(got.sha256 === undefined ? {} : { sha256: got.sha256 }),
      cacheHit: got.kind === "staged" && got.cacheHit === true,
    });
  }
  return results;
}

/** Drops what was fetched and not placed; removes created folders that are still empty. */
async function cleanUp(fetched: FetchedAll): Promise<void> {
  for (const item of fetched.items) await drop(item.got);
  // Deepest first (jobs create theirs concurrently, so the order of creation says nothing).
  const deepest = [...new Set(fetched.created)].sort((a, b) => b.length - a.length);
  for (const dir of deepest) await removeIfEmpty(dir);
}

/** With merge: the files that more than one job wrote. */
function conflicts(jobs: Downloaded[], downloadPath: string): string[] {
  const seen = new Map<string, number>();
  for (const j of jobs)
    for (const f of filesUnder(j, downloadPath)) seen.set(f, (seen.get(f) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([f]) => f);
}

/**
 * Refuses, before any request, a folder (the destination, the cache) that cannot be written: a
 * file, a path under a file, or a folder (or the nearest existing parent) the run may not write to.
 */
async function checkFolder(input: "path" | "cache", path: string): Promise<void> {
  for (let p = path; ; p = dirname(p)) {
    const found = await stat(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT" || e.code === "ENOTDIR") return undefined;
      throw new InputError(input, `${path} cannot be used: ${e.message}`);
    });
    if (found?.isDirectory()) {
      await access(p, constants.W_OK | constants.X_OK).catch(() => {
        throw new InputError(
          input,
          p === path
            ? `${path} is not writable for this run`
            : `${path} cannot be created: ${p} is not writable for this run`,
        );
      });
      return;
    }
    if (found)
      throw new InputError(
        input,
        p === path
          ? `${path} is a file; give a folder`
          : `${path} lies under ${p}, which is a file`,
      );
    if (dirname(p) === p) return;
  }
}
