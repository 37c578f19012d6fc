/**
 * The archive's entries as GitLab's artifact metadata holds them, for
 * `GET /projects/:id/jobs/:job_id/artifacts/tree` (GitLab 18.8, doc/api/job_artifacts.md
 * "List all files in the artifacts archive").
 *
 * The metadata is what Workhorse writes when the archive is uploaded
 * (workhorse/internal/zipartifacts/metadata.go `GenerateZipMetadata`): every entry by name
 * (a later duplicate replaces an earlier one), plus each missing parent directory, sorted
 * byte-wise. GitLab then skips names starting with "/" or containing "./" or "../"
 * (lib/gitlab/ci/build/artifacts/metadata.rb `path_valid?`).
 */
import type { Archive } from "./archives.ts";
import type { ZipEntry } from "./zip.ts";

export interface TreeEntry {
  name: string;
  /** Full path; directories end with "/". */
  path: string;
  type: "file" | "directory";
  /** Files only. */
  size?: number;
  /** Octal, type bits included: "100644", "040755". */
  mode: string;
}

/**
 * Assumed where the docs are silent: a symlink is listed as a file (the metadata knows only
 * directories by their trailing slash), and a directory that has no entry of its own gets
 * mode "040755".
 */
function metadata(archive: Archive, files: ZipEntry[]): TreeEntry[] {
  const byPath = new Map<string, TreeEntry>();
  archive.entries.forEach((written, i) => {
    const spec = files[i];
    const directory = written.name.endsWith("/");
    const perm = spec?.type === "symlink" ? 0o777 : (spec?.mode ?? (directory ? 0o755 : 0o644));
    byPath.set(written.name, {
      name: baseName(written.name),
      path: written.name,
      type: directory ? "directory" : "file",
      ...(directory ? {} : { size: written.uncompressedSize }),
      mode: `${directory ? "040" : "100"}${(perm & 0o7777).toString(8).padStart(3, "0")}`,
    });
    for (let d = parentDir(written.name); d !== ""; d = parentDir(d))
      if (!byPath.has(d))
        byPath.set(d, { name: baseName(d), path: d, type: "directory", mode: "040755" });
  });
  return [...byPath.values()]
    .filter((e) => !e.path.startsWith("/") && !/\.?\.\//.test(e.path))
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** "a/b/c.txt" -> "a/b/", "a/b/" -> "a/", "a" -> "" (Go's path.Dir, with a trailing slash). */
function parentDir(path: string): string {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  const slash = trimmed.lastIndexOf("/");
  return slash <= 0 ? "" : trimmed.slice(0, slash + 1);
}

const baseName = (path: string) => {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
};

/**
 * The entries under `path` (the root when empty): its children, or with `recursive` all its
 * descendants. Undefined when no such directory exists.
 */
export function listTree(
  archive: Archive,
  files: ZipEntry[],
  path: string,
  recursive: boolean,
): TreeEntry[] | undefined {
  const dir = path === "" || path.endsWith("/") ? path : `${path}/`;
  const entries = metadata(archive, files);
  if (dir !== "" && !entries.some((e) => e.path === dir)) return undefined;
  return entries.filter(
    (e) =>
      e.path !== dir &&
      e.path.startsWith(dir) &&
      (recursive || /^[^/]+\/?$/.test(e.path.slice(dir.length))),
  );
}
