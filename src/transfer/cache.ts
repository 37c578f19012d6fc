/**
 * A cache of extracted artifacts on the runner, by job. A finished job's artifacts never change
 * (they can only be deleted), so a runner that fetches the same job's artifacts again takes them
 * from its disk, without a request for the archive.
 *
 * Layout: @actions/tool-cache's, `<root>/<tool>/<version>/<arch>` with an `<arch>.complete`
 * marker beside it, so that its `find()` sees our entries: tool `pipeline-artifacts-` + the
 * GitLab host and project (escaped), version `<job id>.0.0`, arch `artifacts`. An entry holds
 * `files/` (the extracted tree), `entry.json` (every file with its size, mtime and mode, the
 * archive's size and sha256, sealed by a hash of its own text) and `used` (the tree's size, for
 * eviction to read cheaply; its mtime says when the entry was last used: atime is unreliable on
 * noatime mounts).
 *
 * tool-cache's functions are not called: every one prints `::debug::` workflow commands on
 * stdout (wrong outside GitHub), its root can only come from RUNNER_TOOL_CACHE, and `cacheDir`
 * empties and refills the entry in place before writing the marker, so a run reading the entry
 * meanwhile could take half of it. Here an entry is written whole in a work folder of the cache
 * root, renamed into place, then marked complete; a hit checks every file against entry.json
 * first, and anything amiss makes it a miss whose download replaces the entry.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import {
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { discard, openStaging, type Staged } from "../archive/extract.ts";
import type { ExtractLimits } from "../archive/limits.ts";
import { formatBytes, type Log } from "../log.ts";
import { registerTemporary, unregisterTemporary } from "../util/cleanup.ts";
import { mapLimit } from "../util/concurrency.ts";

/** Where the cache is and how much it may hold. */
export interface CacheSettings {
  /** The cache's root folder (absolute). */
  root: string;
  /** Most bytes its entries' files may hold together; the least recently used go first. */
  maxBytes: number;
}

/** What names an entry: a job of a project on a GitLab. */
export interface CacheKey {
  /** GitLab's host (and port). */
  host: string;
  /** The project, as given (an id or a path). */
  project: string;
  jobId: number;
}

/** A hit: the tree, staged for `dest` like a download's, and what the archive was. */
export interface Hit {
  staged: Staged;
  bytes: number;
  sha256: string;
}

const TOOL_PREFIX = "pipeline-artifacts-";
const ARCH = "artifacts";
/** Work folders (entries being written, entries being removed), in the cache root. */
const WORK = "pipeline-artifacts.work";
const FILES = "files";
const RECORD = "entry.json";
const USED = "used";
/** A work folder this old is a crashed run's leftover. */
const STALE_MS = 24 * 3600 * 1000;
const IN_FLIGHT = 16;

/** A file of a tree to clone: a regular file, or a symlink and its target. */
type TreeItem = { path: string } | { path: string; link: string };

/** A file of an entry: a regular file as it must be found, or a symlink and its target. */
type EntryFile =
  { path: string; size: number; mtimeMs: number; mode: number } | { path: string; link: string };

interface EntryRecord {
  format: 1;
  key: CacheKey;
  archive: { bytes: number; sha256: string };
  /** Bytes of the files. */
  bytes: number;
  files: EntryFile[];
  /** Folders the archive listed (empty ones too). */
  dirs: string[];
  created: string;
}

interface Location {
  dir: string;
  marker: string;
}

/** The tool name of a host and project: `[A-Za-z0-9.-]` kept, other bytes as `_xx`. */
export function toolName(key: Pick<CacheKey, "host" | "project">): string {
  const escaped = Buffer.from(`${key.host}/${key.project}`)
    .toString("latin1")
    .replace(/[^A-Za-z0-9.-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  // A folder name has at most 255 bytes: a long one keeps its start and a hash of the whole.
  const name =
    escaped.length <= 200
      ? escaped
      : `${escaped.slice(0, 180)}_${createHash("sha256").update(escaped).digest("hex").slice(0, 16)}`;
  return TOOL_PREFIX + name;
}

/** tool-cache's version of a job: `<job id>.0.0`. */
export const versionOf = (jobId: number) => `${jobId}.0.0`;

/** Where the entry of `key` lies (tool-cache's `<root>/<tool>/<version>/<arch>`). */
export function entryOf(root: string, key: CacheKey): Location {
  const dir = join(root, toolName(key), versionOf(key.jobId), ARCH);
  return { dir, marker: `${dir}.complete` };
}

const seal = (record: EntryRecord) =>
  createHash("sha256").update(JSON.stringify(record)).digest("hex");

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;
const message = (e: unknown) => (e as Error).message;
const pathIn = (dir: string, path: string) => join(dir, ...path.split("/"));

type Found =
  { kind: "absent" } | { kind: "bad"; why: string } | { kind: "whole"; record: EntryRecord };

/** The entry of `key`, checked: marked complete, its record sealed, every file as recorded. */
async function readEntry(at: Location, key: CacheKey): Promise<Found> {
  if (!(await lstat(at.dir).catch(() => undefined))) return { kind: "absent" };
  if (!(await lstat(at.marker).catch(() => undefined)))
    return { kind: "bad", why: "without its completion marker" };
  let record: EntryRecord;
  try {
    const text = JSON.parse(await readFile(join(at.dir, RECORD), "utf8")) as {
      record: EntryRecord;
      sha256: string;
    };
    if (text.record.format !== 1 || seal(text.record) !== text.sha256) throw new Error("altered");
    record = text.record;
  } catch (e) {
    return { kind: "bad", why: `without a readable ${RECORD} (${message(e)})` };
  }
  const { host, project, jobId } = record.key;
  if (host !== key.host || project !== key.project || jobId !== key.jobId)
    return { kind: "bad", why: `another job's (${host} ${project} job ${jobId})` };
  const why = await checkTree(join(at.dir, FILES), record);
  return why === undefined ? { kind: "whole", record } : { kind: "bad", why };
}

/** What is wrong with a tree against its record, if anything. */
async function checkTree(dir: string, record: EntryRecord): Promise<string | undefined> {
  const wrong: string[] = [];
  await mapLimit(record.files, IN_FLIGHT, async (f) => {
    const path = pathIn(dir, f.path);
    const found = await lstat(path).catch(() => undefined);
    if (!found) wrong.push(`${f.path} is missing`);
    else if ("link" in f) {
      if (!found.isSymbolicLink() || (await readlink(path)) !== f.link)
        wrong.push(`${f.path} is not the recorded symlink`);
    } else if (!found.isFile()) wrong.push(`${f.path} is not a file`);
    else if (found.size !== f.size)
      wrong.push(`${f.path} has ${found.size} bytes, recorded ${f.size}`);
    else if (found.mtimeMs !== f.mtimeMs || (found.mode & 0o7777) !== f.mode)
      wrong.push(`${f.path} was changed after it was cached`);
  });
  for (const d of record.dirs)
    if (!(await stat(pathIn(dir, d)).catch(() => undefined))?.isDirectory())
      wrong.push(`folder ${d} is missing`);
  return wrong.length === 0 ? undefined : `altered: ${wrong.slice(0, 3).join("; ")}`;
}

/**
 * Creates `files` (and the folders `dirs`) of `from` in `to`: files as hard links, or copies
 * where links cannot be made (another device); symlinks made anew.
 */
async function cloneTree(
  from: string,
  to: string,
  files: TreeItem[],
  dirs: string[],
): Promise<void> {
  const folders = new Set(dirs);
  for (const f of files)
    for (let p = posix.dirname(f.path); p !== "."; p = posix.dirname(p)) folders.add(p);
  // Sorted, a folder comes after its parents: each is one mkdir.
  for (const d of [...folders].sort()) await mkdir(pathIn(to, d), { recursive: true });
  let links = true;
  await mapLimit(files, IN_FLIGHT, async (f) => {
    const target = pathIn(to, f.path);
    if ("link" in f) return symlink(f.link, target);
    const source = pathIn(from, f.path);
    if (links)
      try {
        return await link(source, target);
      } catch (e) {
        if (code(e) === "ENOENT" || code(e) === "EEXIST") throw e;
        links = false;
      }
    await copyFile(source, target, constants.COPYFILE_EXCL);
  });
}

/**
 * The entry of `key` as a tree staged for `dest`, when the cache has it whole; undefined (and
 * why, in the log) when not. Never throws: a cache that cannot be read is a miss.
 */
export async function lookUp(
  cache: CacheSettings,
  key: CacheKey,
  dest: string,
  limits: ExtractLimits,
  log: Log,
  label: string,
): Promise<Hit | undefined> {
  const at = entryOf(cache.root, key);
  let found: Found;
  try {
    found = await readEntry(at, key);
  } catch (e) {
    log.warn(`${label}: the cache could not be read (${message(e)}); downloading`);
    return undefined;
  }
  if (found.kind === "absent") {
    log.debug(`${label}: not in the cache (${at.dir})`);
    return undefined;
  }
  if (found.kind === "bad") {
    log.info(`${label}: the cache's entry is ${found.why}; downloading it again`);
    return undefined;
  }
  const { record } = found;
  // The tree passed the limits of the run that cached it; this run's may be lower.
  if (record.bytes > limits.maxBytes || record.files.length > limits.maxEntries) {
    log.debug(`${label}: the cached tree is over this run's max-size or max-files; downloading`);
    return undefined;
  }
  const staged: Staged = {
    dir: await openStaging(dest),
    files: record.files.map((f) => f.path),
    dirs: record.dirs,
    bytes: record.bytes,
  };
  try {
    await cloneTree(join(at.dir, FILES), staged.dir, record.files, record.dirs);
  } catch (e) {
    // Removed under our feet (evicted or replaced by another run): a miss.
    await discard(staged);
    log.info(`${label}: the cache's entry could not be used (${message(e)}); downloading`);
    return undefined;
  }
  const now = new Date();
  await utimes(join(at.dir, USED), now, now).catch(() =>
    writeFile(join(at.dir, USED), String(record.bytes)),
  );
  log.info(
    `${label}: ${record.files.length} file(s), ${formatBytes(record.bytes)} from the cache (archive ${formatBytes(record.archive.bytes)}, sha256 ${record.archive.sha256}), nothing downloaded`,
  );
  return { staged, bytes: record.archive.bytes, sha256: record.archive.sha256 };
}

/**
 * Adds a freshly staged tree to the cache (before it is committed: links to its files), then
 * evicts the least recently used entries past the cap. Never throws: a download does not fail
 * because it could not be cached.
 */
export async function store(
  cache: CacheSettings,
  key: CacheKey,
  staged: Staged,
  archive: { bytes: number; sha256: string },
  log: Log,
  label: string,
): Promise<void> {
  if (staged.bytes > cache.maxBytes) {
    log.info(
      `${label}: not cached, ${formatBytes(staged.bytes)} is more than cache-max-size (${formatBytes(cache.maxBytes)})`,
    );
    return;
  }
  const at = entryOf(cache.root, key);
  try {
    await put(cache.root, at, key, staged, archive);
  } catch (e) {
    log.warn(`${label}: not cached (${message(e)}); the download itself is complete`);
    return;
  }
  await evict(cache, at.dir, log).catch((e: unknown) =>
    log.warn(`cache: old entries could not be removed (${message(e)})`),
  );
}

async function put(
  root: string,
  at: Location,
  key: CacheKey,
  staged: Staged,
  archive: { bytes: number; sha256: string },
): Promise<void> {
  const work = await workFolder(root, "new");
  try {
    const files = await mapLimit(staged.files, IN_FLIGHT, async (path): Promise<TreeItem> => {
      const source = pathIn(staged.dir, path);
      return (await lstat(source)).isSymbolicLink()
        ? { path, link: await readlink(source) }
        : { path };
    });
    const tree = join(work, FILES);
    await mkdir(tree);
    await cloneTree(staged.dir, tree, files, staged.dirs);
    // Recorded as the entry's own files are (copies have their own mtimes).
    const recorded = await mapLimit(files, IN_FLIGHT, async (f): Promise<EntryFile> => {
      if ("link" in f) return f;
      const found = await lstat(pathIn(tree, f.path));
      return { path: f.path, size: found.size, mtimeMs: found.mtimeMs, mode: found.mode & 0o7777 };
    });
    const record: EntryRecord = {
      format: 1,
      key,
      archive,
      bytes: staged.bytes,
      files: recorded,
      dirs: staged.dirs,
      created: new Date().toISOString(),
    };
    await writeFile(join(work, RECORD), JSON.stringify({ record, sha256: seal(record) }));
    await writeFile(join(work, USED), String(staged.bytes));
    await mkdir(dirname(at.dir), { recursive: true });
    if (!(await moveIn(work, at.dir))) {
      // Another run's entry is there: whole, it stays; else ours replaces it.
      if ((await readEntry(at, key)).kind === "whole") return;
      await remove(root, at);
      if (!(await moveIn(work, at.dir))) return;
    }
    await writeFile(at.marker, "");
  } finally {
    await rm(work, { recursive: true, force: true });
    unregisterTemporary(work);
  }
}

/** Renames a work folder into place; false when an entry is already there. */
async function moveIn(work: string, dir: string): Promise<boolean> {
  try {
    await rename(work, dir);
    return true;
  } catch (e) {
    if (code(e) === "ENOTEMPTY" || code(e) === "EEXIST") return false;
    throw e;
  }
}

/** A new work folder in the cache root, removed by a stopped run. */
async function workFolder(root: string, what: string): Promise<string> {
  const dir = join(root, WORK, `${what}-${randomBytes(6).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  registerTemporary(dir);
  return dir;
}

/** Removes an entry: its marker first (no one takes it from then on), then the folder, renamed aside. */
async function remove(root: string, at: Location): Promise<void> {
  await rm(at.marker, { force: true });
  const aside = await workFolder(root, "old");
  try {
    await rename(at.dir, join(aside, ARCH));
  } catch (e) {
    if (code(e) !== "ENOENT") throw e;
  } finally {
    await rm(aside, { recursive: true, force: true });
    unregisterTemporary(aside);
  }
}

/** Our entries in the cache root (other tools' are never touched), with size and last use. */
async function entries(root: string): Promise<(Location & { bytes: number; used: number })[]> {
  const tools = (await readdir(root)).filter((n) => n.startsWith(TOOL_PREFIX));
  const found = await Promise.all(
    tools.map(async (tool) => {
      const versions = (await readdir(join(root, tool)).catch(() => [])).filter((v) =>
        /^\d+\.0\.0$/.test(v),
      );
      return Promise.all(
        versions.map(async (version) => {
          const dir = join(root, tool, version, ARCH);
          const used = await stat(join(dir, USED)).catch(() => undefined);
          const bytes = Number(await readFile(join(dir, USED), "utf8").catch(() => "0"));
          // An entry without its `used` file counts as used long ago, so it goes first.
          return {
            dir,
            marker: `${dir}.complete`,
            bytes: Number.isSafeInteger(bytes) ? bytes : 0,
            used: used?.mtimeMs ?? 0,
          };
        }),
      );
    }),
  );
  return found.flat();
}

/** Removes the least recently used entries until the rest fit the cap (`keep` stays), and stale work. */
async function evict(cache: CacheSettings, keep: string, log: Log): Promise<void> {
  const all = (await entries(cache.root)).sort((a, b) => a.used - b.used);
  let total = all.reduce((n, e) => n + e.bytes, 0);
  for (const e of all) {
    if (total <= cache.maxBytes) break;
    if (e.dir === keep) continue;
    await remove(cache.root, e);
    total -= e.bytes;
    log.info(`cache: removed ${e.dir} (${formatBytes(e.bytes)}, least recently used)`);
  }
  const work = join(cache.root, WORK);
  for (const name of await readdir(work).catch(() => [])) {
    const made = await stat(join(work, name)).catch(() => undefined);
    if (made && Date.now() - made.mtimeMs > STALE_MS)
      await rm(join(work, name), { recursive: true, force: true });
  }
}
