/**
 * How a job's artifacts travel, one strategy per kind of fetch: the whole archive (downloaded,
 * then extracted into a staging folder or kept as a zip), one file (GitLab's single-file route),
 * or the files matching patterns (read out of the archive where it lies, through HTTP ranges).
 * Each returns what it produced — a staged folder, a file, or why there was nothing — and leaves
 * placing it to the caller.
 */
import { discard, type Listed, listEntries, type Staged, stage } from "../archive/extract.ts";
import type { ExtractLimits } from "../archive/limits.ts";
import { pathMatcher } from "../archive/paths.ts";
import { nearest } from "../util/text.ts";
import { withFile } from "../archive/source.ts";
import type { GitLabClient } from "../gitlab/client.ts";
import { GitLabError } from "../gitlab/errors.ts";
import { formatBytes, type Log } from "../log.ts";
import { type CacheKey, type CacheSettings, lookUp, store } from "./cache.ts";
import { download, type Downloaded, removeDownload } from "./download.ts";
import { downloadAndStage, type Followed } from "./overlap.ts";
import { RangedSource, RangesIgnored } from "./ranged.ts";

/** What of each job's artifacts to fetch. */
export type Fetch =
  /** The whole archive: extracted, or kept as a zip file. */
  | { kind: "archive"; extract: boolean }
  /** One file, by its exact path in the archive (GitLab's single-file route). */
  | { kind: "file"; path: string }
  /** The entries matching these patterns, read out of the archive where it lies. */
  | { kind: "paths"; patterns: string[] };

/** The job whose artifacts to fetch, as transfer/ needs to know it. */
export interface Wanted {
  /** How messages name it: `build (job 1001)`. */
  label: string;
  name: string;
  archiveUrl: string;
  /** The URL of one file of the archive. */
  fileUrl: (path: string) => string;
  /**
   * What a 404 of the archive means when nobody checked beforehand that the job has one (a job
   * given by id or ref): that text. Undefined for jobs whose listing showed an archive, where a
   * 404 is a failure.
   */
  absent?: (gitlab: string) => string;
  /** Its entry in the cache; undefined when its id is unknown (a job found by ref). */
  cacheKey?: CacheKey;
}

/** Where results go: the job's folder, and the zip's name when the archive is kept whole. */
export interface Place {
  dir: string;
  zipName: string;
}

export type Fetched =
  | { kind: "staged"; staged: Staged; bytes: number; sha256?: string; cacheHit?: true }
  /** A temporary file beside `dir`, to be renamed to `name` (relative to the job's folder). */
  | { kind: "file"; temp: string; name: string; bytes: number; sha256?: string }
  | { kind: "missing"; why: string; hint?: string };

export interface TransferContext {
  client: GitLabClient;
  limits: ExtractLimits;
  log: Log;
  /** How often progress is reported at most, ms. */
  progressEveryMs: number;
  /** Warnings already given this run (each is given once). */
  said: Set<string>;
  /** Aborted when the run is stopped. */
  signal: AbortSignal;
  /** Where whole archives, extracted, are cached; undefined: no cache. */
  cache?: CacheSettings;
}

type Strategy = (wanted: Wanted, place: Place, ctx: TransferContext) => Promise<Fetched>;

export function strategyFor(fetch: Fetch): Strategy {
  switch (fetch.kind) {
    case "archive":
      return (w, p, ctx) => wholeArchive(w, p, fetch.extract, ctx);
    case "file":
      // Newest GitLab routes `artifacts/tree` to a listing of the archive, shadowing a root file
      // named `tree` on the single-file route: read that one out of the archive instead.
      return fetch.path === "tree"
        ? (w, p, ctx) => somePaths(w, p, [fetch.path], ctx)
        : (w, p, ctx) => oneFile(w, p, fetch.path, ctx);
    case "paths":
      return (w, p, ctx) => somePaths(w, p, fetch.patterns, ctx);
  }
}

/** Removes what a strategy produced when it will not be placed. */
export async function drop(fetched: Fetched): Promise<void> {
  if (fetched.kind === "staged") await discard(fetched.staged);
  if (fetched.kind === "file") await removeDownload(fetched.temp);
}

/**
 * The archive, downloaded whole: extracted into a staging folder as it arrives (transfer/
 * overlap.ts), or kept as a zip when `extract` is off. An extracted tree comes from the cache
 * when it has the job, and goes into it after a download.
 */
async function wholeArchive(
  wanted: Wanted,
  place: Place,
  extract: boolean,
  ctx: TransferContext,
): Promise<Fetched> {
  const { cache } = ctx;
  const key = extract && cache ? wanted.cacheKey : undefined;
  if (cache && key) {
    const hit = await lookUp(cache, key, place.dir, ctx.limits, ctx.log, wanted.label);
    if (hit) return { kind: "staged", ...hit, cacheHit: true };
  }
  const what = `the artifacts of ${wanted.label}`;
  const how = {
    client: ctx.client,
    url: wanted.archiveUrl,
    dir: place.dir,
    what,
    progress: progressReporter(wanted.name, ctx),
  };
  const stageOptions = { limits: ctx.limits, label: wanted.label, signal: ctx.signal };
  let result: Followed | Downloaded;
  try {
    result = extract
      ? await downloadAndStage({
          ...how,
          stage: (source) => stage(source, place.dir, stageOptions),
          debug: (how) => ctx.log.debug(`${wanted.label}: ${how}`),
        })
      : await download(how);
  } catch (e) {
    if (e instanceof GitLabError && e.status === 404 && wanted.absent)
      return { kind: "missing", why: wanted.absent(e.gitlab) };
    throw e;
  }
  const got = "got" in result ? result.got : result;
  ctx.log.info(
    `${wanted.label}: ${formatBytes(got.bytes)} downloaded${got.resumes ? ` (resumed ${got.resumes} time(s))` : ""}, sha256 ${got.sha256}`,
  );
  const { bytes, sha256 } = got;
  if (!("staged" in result))
    return { kind: "file", temp: result.file, name: place.zipName, bytes, sha256 };
  const { staged } = result;
  if (cache && key) await store(cache, key, staged, { bytes, sha256 }, ctx.log, wanted.label);
  return { kind: "staged", staged, bytes, sha256 };
}

/** One file, through GitLab's single-file route; its path in the archive is its path here. */
async function oneFile(
  wanted: Wanted,
  place: Place,
  path: string,
  ctx: TransferContext,
): Promise<Fetched> {
  try {
    const got = await download({
      client: ctx.client,
      url: wanted.fileUrl(path),
      dir: place.dir,
      what: `${path} from the artifacts of ${wanted.label}`,
      progress: progressReporter(wanted.name, ctx),
    });
    ctx.log.info(`${wanted.label}: ${path}, ${formatBytes(got.bytes)} downloaded`);
    return { kind: "file", temp: got.file, name: path, bytes: got.bytes };
  } catch (e) {
    if (!(e instanceof GitLabError) || e.status !== 404) throw e;
    // Workhorse answers a missing entry with Go's plain-text 404.
    if (e.gitlab === "404 page not found")
      return {
        kind: "missing",
        why: `${wanted.label}: no file ${JSON.stringify(path)} in its artifacts`,
        hint: await nearHint(wanted, path, ctx),
      };
    return { kind: "missing", why: wanted.absent?.(e.gitlab) ?? `${wanted.label}: ${e.gitlab}` };
  }
}

/**
 * The entries `patterns` match, read where the archive lies through HTTP ranges; when the server
 * ignores ranges, the whole archive is downloaded (and that is said once a run).
 */
async function somePaths(
  wanted: Wanted,
  place: Place,
  patterns: string[],
  ctx: TransferContext,
): Promise<Fetched> {
  const matcher = pathMatcher(patterns);
  const what = `the artifacts of ${wanted.label}`;
  const stageOptions = { limits: ctx.limits, label: wanted.label, signal: ctx.signal };
  let staged: Staged;
  let bytes: number;
  let sha256: string | undefined;
  try {
    const remote = await RangedSource.open(ctx.client, wanted.archiveUrl, what);
    try {
      staged = await stage(remote, place.dir, { ...stageOptions, wanted: matcher });
    } finally {
      await remote.close();
    }
    bytes = remote.received;
    ctx.log.info(
      `${wanted.label}: ${staged.files.length} file(s) read from a ${formatBytes(remote.size)} archive, ${formatBytes(bytes)} transferred`,
    );
  } catch (e) {
    if (e instanceof GitLabError && e.status === 404 && wanted.absent)
      return { kind: "missing", why: wanted.absent(e.gitlab) };
    if (!(e instanceof RangesIgnored)) throw e;
    if (!ctx.said.has("ranges")) ctx.log.warn(`${e.message}; downloading whole archives instead`);
    ctx.said.add("ranges");
    const got = await download({
      client: ctx.client,
      url: wanted.archiveUrl,
      dir: place.dir,
      what,
    });
    try {
      staged = await withFile(got.file, (source) =>
        stage(source, place.dir, { ...stageOptions, wanted: matcher }),
      );
    } finally {
      await removeDownload(got.file);
    }
    ({ bytes, sha256 } = got);
  }
  if (staged.files.length > 0) return { kind: "staged", staged, bytes, sha256 };
  await discard(staged);
  return {
    kind: "missing",
    why: `${wanted.label}: no file matches ${patterns.join(", ")} in its artifacts`,
    hint: "names in an archive are exact and case-sensitive",
  };
}

/**
 * For a file not found in an archive: names in it that come close, read from its central
 * directory through HTTP ranges when the server allows (else the general advice).
 */
async function nearHint(wanted: Wanted, path: string, ctx: TransferContext): Promise<string> {
  const advice = "names in an archive are exact and case-sensitive, with forward slashes";
  try {
    const remote = await RangedSource.open(
      ctx.client,
      wanted.archiveUrl,
      `the artifacts of ${wanted.label}`,
    );
    try {
      const near = nearest(
        (await listEntries(remote)).map((e) => e.path),
        path,
      );
      return near.length > 0 ? `${advice}; close names in it: ${near.join(", ")}` : advice;
    } finally {
      await remote.close();
    }
  } catch {
    return advice;
  }
}

/** Progress at a calm rate: at most one line per interval, none for quick downloads. */
function progressReporter(name: string, ctx: TransferContext) {
  const started = Date.now();
  let last = started;
  return (received: number, total: number | undefined) => {
    const now = Date.now();
    if (now - last < ctx.progressEveryMs) return;
    last = now;
    const rate = received / Math.max((now - started) / 1000, 0.001);
    const of = total ? ` of ${formatBytes(total)} (${Math.floor((received / total) * 100)}%)` : "";
    ctx.log.info(`${name}: ${formatBytes(received)}${of} at ${formatBytes(rate)}/s`);
  };
}

/**
 * The entries of a job's archive (those `patterns` match, when given), read from its central
 * directory through HTTP ranges; undefined when the server ignores ranges (said once a run).
 */
export async function remoteListing(
  wanted: Pick<Wanted, "label" | "archiveUrl">,
  patterns: string[],
  ctx: Pick<TransferContext, "client" | "log" | "said">,
): Promise<{ entries: Listed[]; transferred: number } | undefined> {
  let remote: RangedSource;
  try {
    remote = await RangedSource.open(
      ctx.client,
      wanted.archiveUrl,
      `the artifacts of ${wanted.label}`,
    );
  } catch (e) {
    if (!(e instanceof RangesIgnored)) throw e;
    if (!ctx.said.has("ranges")) ctx.log.warn(`${e.message}; archives' entries are not listed`);
    ctx.said.add("ranges");
    return undefined;
  }
  try {
    const entries = await listEntries(
      remote,
      patterns.length > 0 ? pathMatcher(patterns) : undefined,
    );
    return { entries, transferred: remote.received };
  } finally {
    await remote.close();
  }
}
