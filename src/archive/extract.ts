/**
 * Safe extraction of an artifacts archive (yauzl). The whole archive is first extracted into a
 * staging folder inside the destination; only when every entry passed every check are the files
 * moved into place, one rename each. A refused or broken archive leaves the destination as it was.
 *
 * Checks, each with its reason:
 * - names: no absolute paths or `..` (yauzl's own validation, which we keep on), one spelling
 *   per path (`./a//b` is `a/b`) — an entry must not land outside the destination;
 * - symlinks: the target must stay inside the destination, walked segment by segment and never
 *   through another symlink of the archive, and no later entry may be written through a symlink
 *   from the archive — all classic ways out of the destination;
 * - duplicates and clashes: an archive naming a file twice, or one name as a file and a folder,
 *   is refused, not silently resolved;
 * - layout (layout.ts): each local header agrees with its central record, and no two entries
 *   share bytes — the overlap zip bomb;
 * - limits: entry count, total extracted bytes, and the compression ratio of large entries —
 *   zip bombs;
 * - integrity: sizes (yauzl) and CRC-32 (ours: yauzl does not check it) of every file.
 * Unix file modes are kept (executable bits), with owner read/write always set.
 */
import { buffer } from "node:stream/consumers";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import {
  lstat,
  mkdir,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  symlink,
  writeFile,
} from "node:fs/promises";
import { dirname, join, posix, relative, sep } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import type yauzl from "yauzl";
import { RunError, setting } from "../errors.ts";
import { registerTemporary, unregisterTemporary } from "../util/cleanup.ts";
import { Layout } from "./layout.ts";
import type { ExtractLimits } from "./limits.ts";
import { type ByteSource, openZip } from "./source.ts";

export interface Staged {
  /** The staging folder, inside the destination. */
  dir: string;
  /** Relative POSIX paths of the files and symlinks, in archive order. */
  files: string[];
  /** Folders the archive lists (so empty ones are kept too). */
  dirs: string[];
  /** Uncompressed bytes written. */
  bytes: number;
}

/** An archive that breaks a rule: nothing of it is kept. */
export class UnsafeArchive extends RunError {
  override name = "UnsafeArchive";
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const RATIO_FLOOR = 1024 * 1024;
const MAX_LINK_TARGET = 4096;
/** Entries up to this size are read whole and written at once. */
const SMALL_FILE = 256 * 1024;
/** Bytes queued for a file before waiting: large entries are written in few system calls. */
const WRITE_BUFFER = 1024 * 1024;

function entries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  return (async function* () {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => done(() => resolve(e));
        const onEnd = () => done(() => resolve(undefined));
        const onError = (e: Error) => done(() => reject(e));
        const done = (then: () => void) => {
          zip.off("entry", onEntry);
          zip.off("end", onEnd);
          zip.off("error", onError);
          then();
        };
        zip.on("entry", onEntry);
        zip.on("end", onEnd);
        zip.on("error", onError);
        zip.readEntry();
      });
      if (!entry) return;
      yield entry;
    }
  })();
}

/** Every entry name of an archive, reading nothing but its central directory. */
export async function entryNames(source: ByteSource): Promise<string[]> {
  const zip = await openZip(source);
  const names: string[] = [];
  try {
    for await (const entry of entries(zip)) names.push(entry.fileName);
  } finally {
    zip.close();
  }
  return names;
}

/** Where and how an archive is staged. */
export interface StageOptions {
  limits: ExtractLimits;
  /** Names the archive in messages: `build (job 1001)`. */
  label: string;
  /** Only the entries it accepts are extracted (and nothing else is read). */
  wanted?: (name: string) => boolean;
  /** Checked between entries: a stopped run stops extracting. */
  signal?: AbortSignal;
}

/** The data of an entry whose local header was read and checked. */
function dataStream(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  local: yauzl.LocalFileHeader,
): Promise<NodeJS.ReadableStream> {
  if (entry.isEncrypted()) return Promise.reject(new Error("is encrypted, which is not supported"));
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
    return Promise.reject(
      new Error(
        `uses compression method ${entry.compressionMethod}; only stored and deflated are supported`,
      ),
    );
  return new Promise((resolve, reject) =>
    zip.openReadStreamLowLevel(
      local.fileDataStart,
      entry.compressedSize,
      0,
      entry.compressedSize,
      entry.compressionMethod === 8,
      entry.uncompressedSize,
      (err, stream) => (err || !stream ? reject(err) : resolve(stream)),
    ),
  );
}

function modeOf(entry: yauzl.Entry): number {
  const unix = entry.versionMadeBy >> 8 === 3;
  return unix ? entry.externalFileAttributes >>> 16 : 0;
}

/**
 * Extracts an archive — a local file, or a remote archive read through HTTP ranges — into a new
 * staging folder inside `dest`.
 */
export async function stage(
  archive: ByteSource,
  dest: string,
  options: StageOptions,
): Promise<Staged> {
  const { limits, label, wanted, signal } = options;
  await mkdir(dest, { recursive: true });
  const dir = join(dest, `.pipeline-artifacts-staging-${randomBytes(6).toString("hex")}`);
  await mkdir(dir);
  registerTemporary(dir);
  let zip: yauzl.ZipFile | undefined;
  try {
    try {
      zip = await openZip(archive);
    } catch (e) {
      throw new UnsafeArchive(
        `the artifacts of ${label} are not a readable zip archive: ${(e as Error).message}`,
      );
    }
    if (zip.entryCount > limits.maxEntries)
      throw new UnsafeArchive(
        `the artifacts of ${label} hold ${zip.entryCount} entries, more than max-files (${limits.maxEntries})`,
        `raise ${setting("max-files")} if the archive is trusted`,
      );
    const open = zip;
    const files: string[] = [];
    const dirs: string[] = [];
    /** What each path is, files and the folders they imply: one name cannot be both. */
    const kinds = new Map<string, "file" | "folder">();
    const links = new Set<string>();
    const layout = new Layout();
    let bytes = 0;
    const refuse = (name: string, why: string, hint?: string): never => {
      throw new UnsafeArchive(
        `the artifacts of ${label} are refused: entry ${JSON.stringify(name)} ${why}`,
        hint,
      );
    };

    const take = async (entry: yauzl.Entry, name: string): Promise<void> => {
      const isDir = entry.fileName.endsWith("/") || (modeOf(entry) & S_IFMT) === S_IFDIR;
      if (name === "" || (wanted && (isDir || !wanted(name)))) return;
      if (name === ".." || name.startsWith("../")) refuse(name, "points outside the destination");
      for (let p = posix.dirname(name); p !== "."; p = posix.dirname(p)) {
        if (links.has(p)) refuse(name, `would be written through the symlink ${JSON.stringify(p)}`);
        if (kinds.get(p) === "file")
          refuse(name, `lies under ${JSON.stringify(p)}, which the archive also has as a file`);
      }
      const was = kinds.get(name);
      if (isDir) {
        if (was === "file") refuse(name, "is a folder, and the archive also has it as a file");
      } else if (was === "file") refuse(name, "appears twice");
      else if (was === "folder") refuse(name, "is a file, and the archive also has it as a folder");
      kinds.set(name, isDir ? "folder" : "file");
      for (let p = posix.dirname(name); p !== "."; p = posix.dirname(p)) kinds.set(p, "folder");
      const target = join(dir, ...name.split("/"));
      if (isDir) {
        await mkdir(target, { recursive: true });
        dirs.push(name);
        return;
      }
      const local = await open.readLocalFileHeaderPromise(entry);
      const misplaced = layout.check(entry, local);
      if (misplaced) refuse(name, misplaced);
      await mkdir(dirname(target), { recursive: true });
      const mode = modeOf(entry);
      if ((mode & S_IFMT) === S_IFLNK) {
        if (entry.uncompressedSize > MAX_LINK_TARGET)
          refuse(name, "is a symlink with an oversized target");
        const link = (await buffer(await dataStream(open, entry, local))).toString("utf8");
        const why = linkEscapes(name, link, links);
        if (why) refuse(name, `is a symlink ${why} (${JSON.stringify(link)})`);
        await symlink(link, target);
        links.add(name);
        files.push(name);
        return;
      }
      bytes += entry.uncompressedSize;
      if (bytes > limits.maxBytes)
        refuse(
          name,
          `takes the archive past max-size (${limits.maxBytes} bytes)`,
          `raise ${setting("max-size")} if the archive is trusted`,
        );
      if (
        entry.uncompressedSize >= RATIO_FLOOR &&
        entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxRatio
      )
        refuse(
          name,
          `expands ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))}-fold, more than max-ratio (${limits.maxRatio})`,
          `raise ${setting("max-ratio")} if the archive is trusted`,
        );
      const perms = (mode & 0o777 || 0o644) | 0o600;
      let crc = 0;
      if (entry.uncompressedSize <= SMALL_FILE) {
        // Small files in one piece: a buffer and one write, none of a stream pipeline's objects.
        const data = await buffer(await dataStream(open, entry, local));
        crc = crc32(data);
        await writeFile(target, data, { mode: perms, flag: "wx" });
      } else {
        const check = new Transform({
          transform(chunk: Buffer, _enc, done) {
            crc = crc32(chunk, crc);
            done(null, chunk);
          },
        });
        await pipeline(
          await dataStream(open, entry, local),
          check,
          createWriteStream(target, { mode: perms, flags: "wx", highWaterMark: WRITE_BUFFER }),
        );
      }
      if (crc !== entry.crc32) refuse(name, "is corrupt (its CRC-32 does not match)");
      files.push(name);
    };

    const listed = entries(zip);
    for (;;) {
      signal?.throwIfAborted();
      let next: IteratorResult<yauzl.Entry>;
      try {
        next = await listed.next();
      } catch (e) {
        // yauzl refused the next central record (a bad name, a size out of bounds): its message
        // names the entry itself.
        throw new UnsafeArchive(`the artifacts of ${label} are refused: ${(e as Error).message}`);
      }
      if (next.done) break;
      // One spelling per path: `./a`, `a//b` and `a/./b` are `a`, `a/b`, `a/b`, so that the
      // checks cannot be stepped around.
      const name = canonical(next.value.fileName);
      try {
        await take(next.value, name);
      } catch (e) {
        if (e instanceof UnsafeArchive || signal?.aborted) throw e;
        // Reading or writing the entry failed (truncated data, a size that lies, the disk).
        throw new UnsafeArchive(
          `the artifacts of ${label} are refused: entry ${JSON.stringify(name)}: ${(e as Error).message}`,
        );
      }
    }
    return { dir, files, dirs, bytes };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    unregisterTemporary(dir);
    throw e;
  } finally {
    zip?.close();
  }
}

/** `./a//b/./c/` -> `a/b/c`; `..` segments are kept (and refused by the caller when they climb out). */
function canonical(name: string): string {
  const n = posix.normalize(name.replace(/\/+$/, ""));
  return n === "." ? "" : n.replace(/^(\.\/)+/, "");
}

/**
 * Why a symlink at `name` pointing to `target` could lead outside the destination, if it could:
 * an absolute target, a target climbing above the destination, or one passing through another
 * symlink of the archive (whose own `..` would be resolved from somewhere else). Walked segment
 * by segment from the link's folder, as the file system resolves it.
 */
function linkEscapes(name: string, target: string, links: ReadonlySet<string>): string | undefined {
  if (target === "" || target.includes("\0")) return "with an empty or invalid target";
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target) || target.startsWith("\\"))
    return "pointing outside the destination: its target is an absolute path";
  const at = posix.dirname(name) === "." ? [] : posix.dirname(name).split("/");
  const segments = target.split("/").filter((s) => s !== "" && s !== ".");
  for (const [i, segment] of segments.entries()) {
    if (segment === "..") {
      if (at.length === 0) return "pointing outside the destination";
      at.pop();
    } else {
      at.push(segment);
      if (i < segments.length - 1 && links.has(at.join("/")))
        return `pointing through another symlink, ${JSON.stringify(at.join("/"))}, which could lead outside the destination`;
    }
  }
  return undefined;
}

/**
 * Moves staged files into `dest` (replacing files already there), then removes the staging
 * folder. Refuses to move anything through a symlink of the destination that leads outside it.
 */
export async function commit(staged: Staged, dest: string): Promise<void> {
  try {
    await preflight(staged, dest);
    for (const name of staged.dirs)
      await mkdir(join(dest, ...name.split("/")), { recursive: true });
    for (const name of staged.files) {
      const to = join(dest, ...name.split("/"));
      await mkdir(dirname(to), { recursive: true });
      await rename(join(staged.dir, ...name.split("/")), to);
    }
  } finally {
    await discard(staged);
  }
}

/**
 * Checks every move before the first one, so that a clash leaves the destination untouched: no
 * folder where a file goes, no file where a folder goes, and no folder of the destination that
 * leads outside it through a symlink.
 */
async function preflight(staged: Staged, dest: string): Promise<void> {
  const root = await realpath(dest);
  const folders = new Set<string>(staged.dirs);
  for (const name of staged.files)
    for (let p = posix.dirname(name); p !== "."; p = posix.dirname(p)) folders.add(p);
  for (const name of folders) {
    const path = join(dest, ...name.split("/"));
    const found = await lstat(path).catch(() => undefined);
    if (!found) continue;
    if (!found.isDirectory() && !found.isSymbolicLink())
      throw new RunError(
        `cannot create the folder ${name} in ${dest}: a file of that name is there`,
      );
    const real = await realpath(path).catch(() => "");
    if (real !== root && !real.startsWith(root + sep))
      throw new UnsafeArchive(
        `${name}: the destination's folder ${relative(root, path)} leads outside it through a symlink`,
      );
  }
  for (const name of staged.files) {
    const existing = await lstat(join(dest, ...name.split("/"))).catch(() => undefined);
    if (existing?.isDirectory())
      throw new RunError(
        `cannot put the file ${name} where a folder of that name exists in ${dest}`,
      );
  }
}

/** Removes a staging folder that will not be committed. */
export async function discard(staged: Staged): Promise<void> {
  await rm(staged.dir, { recursive: true, force: true });
  unregisterTemporary(staged.dir);
}

/** Removes `dir` if it is empty (a destination this run created and did not fill). */
export async function removeIfEmpty(dir: string): Promise<void> {
  if ((await readdir(dir).catch(() => ["?"])).length === 0) await rmdir(dir).catch(() => {});
}
