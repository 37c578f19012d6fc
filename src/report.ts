/** What a run did: the Result every face writes out in its own way (faces/). */
import { posix, relative, sep } from "node:path";
import type { Listed } from "./archive/extract.ts";
import type { JobStatus } from "./gitlab/api.ts";
import type { Mode } from "./options.ts";

/** A job as results name it. */
export interface JobInfo {
  /** Unknown when GitLab's ref endpoint finds the job itself (the token may not list pipelines). */
  id: number | undefined;
  name: string;
  /** Unknown when the job was given by id. */
  pipelineId: number | undefined;
  status: JobStatus | undefined;
  /** Empty when it cannot be known (a numeric project id gives no path for web URLs). */
  webUrl: string;
  /** The API URL that downloads its archive (with a token: PRIVATE-TOKEN or JOB-TOKEN). */
  archiveUrl: string;
  /** With artifact-path: the API URL of that one file. */
  fileUrl?: string;
  /** Size of the archive: as downloaded, or as GitLab reported it (0 when unknown). */
  bytes: number;
  /** When the artifacts expire (ISO 8601), null when kept forever, undefined when unknown. */
  expiresAt?: string | null;
}

export type Storage = "gitlab" | "object storage";

/** What happened to a job's artifacts — or, in a dry run, what would have. */
export type JobResult =
  | (JobInfo & {
      action: "downloaded";
      /** The folder its files went to (absolute). */
      path: string;
      /** Its files, relative to `path`, with forward slashes: `path`/`file` exists for each. */
      files: string[];
      /** SHA-256 of the whole archive, when the whole archive was downloaded (or cached). */
      sha256?: string;
      /** The files came from the cache (cache input), not from a download. */
      cacheHit: boolean;
    })
  | (JobInfo & {
      action: "listed";
      storage: Storage;
      /** With files: the archive's entries (undefined when they could not be read remotely). */
      entries?: Listed[];
    })
  | (JobInfo & { action: "resolved" })
  | (JobInfo & {
      action: "would-download" | "kept" | "would-keep" | "deleted" | "would-delete";
    });

export type Action = JobResult["action"];
export type Downloaded = Extract<JobResult, { action: "downloaded" }>;

export interface Result {
  mode: Mode;
  /** Nothing was changed or written: the jobs are what would have been acted on. */
  dryRun: boolean;
  /** The pipeline the jobs were looked up in (for a ref, its newest successful one; undefined for jobs given by id, or when GitLab's ref endpoint finds the job). */
  pipelineId: number | undefined;
  /** Absolute destination folder (download mode). */
  downloadPath: string | undefined;
  jobs: JobResult[];
  /** Whether any artifacts were found (and, in download mode, fetched). */
  found: boolean;
  /** Why requested jobs gave no artifacts (not matched, not finished, failed, expired...). */
  missing: string[];
  /** With merge: files that more than one job had (the later job's copy is kept). */
  conflicts: string[];
  /** For delete-project: GitLab's answer. */
  note?: string;
  /** For url: what to print, a line each. */
  lines?: string[];
  /** Set when the job came from the newest successful pipeline of this ref, not the running pipeline. */
  ref?: string;
}

export const isDownloaded = (j: JobResult): j is Downloaded => j.action === "downloaded";

/** A downloaded job's files relative to the download path, with forward slashes. */
export function filesUnder(job: Downloaded, downloadPath: string): string[] {
  const prefix = relative(downloadPath, job.path).split(sep).join("/");
  return job.files.map((f) => (prefix === "" ? f : posix.join(prefix, f)));
}
