/** What a run did, and how faces write it out. */
import type { Mode } from "./inputs.ts";
import { formatBytes } from "./log.ts";

/** What happened to a job's artifacts (or, with dry-run, what would have). */
export type Action = "downloaded" | "listed" | "kept" | "deleted";

export interface JobResult {
  action: Action;
  /** Unknown when GitLab looked the job up by ref. */
  id: number | undefined;
  name: string;
  /** Unknown when the job was given by id. */
  pipelineId: number | undefined;
  status: string | undefined;
  webUrl: string;
  /** The folder its files went to, or the zip file when not extracting. */
  path: string;
  /** Paths of its files, relative to the run's download path, with forward slashes. */
  files: string[];
  /** Size of the archive as downloaded. */
  bytes: number;
  /** SHA-256 of the archive as downloaded (empty when nothing was downloaded). */
  sha256: string;
  /** When the artifacts expire (ISO 8601), null when kept forever, undefined when unknown. */
  expiresAt?: string | null;
  /** Where GitLab serves the archive from (list mode): itself, or a redirect to object storage. */
  storage?: "gitlab" | "object storage";
}

export interface Result {
  mode: Mode;
  /** Nothing was changed or written: the jobs are what would have been acted on. */
  dryRun: boolean;
  pipelineId: number | undefined;
  /** Absolute destination folder. */
  downloadPath: string;
  jobs: JobResult[];
  /** Whether any artifacts were fetched. */
  found: boolean;
  /** Why requested jobs gave no artifacts (not matched, not finished, failed, expired...). */
  missing: string[];
  /** With merge: files that more than one job had (the later job's copy is kept). */
  conflicts: string[];
  /** For delete-project: GitLab's answer. */
  note?: string;
  /** Set when the job came from the newest successful pipeline of this ref, not the running pipeline. */
  ref?: string;
}

/** The per-job manifest (the `artifacts` output and `--json`). */
export function manifest(result: Result) {
  return result.jobs.map((j) => ({
    action: j.action,
    id: j.id,
    name: j.name,
    pipeline: j.pipelineId ?? null,
    status: j.status ?? null,
    web_url: j.webUrl,
    path: j.path,
    files: j.files,
    bytes: j.bytes,
    sha256: j.sha256,
    expires_at: j.expiresAt ?? null,
    ...(j.storage ? { storage: j.storage } : {}),
  }));
}

/** Every output, with its description (action.yml and the README are generated from these). */
export const OUTPUTS = {
  "job-id": "Id of the (first) job whose artifacts were fetched.",
  "job-ids": "Ids of the jobs whose artifacts were fetched, as a JSON array.",
  "job-urls": "Web URLs of those jobs, as a JSON array.",
  "pipeline-id": "The pipeline the jobs were looked up in.",
  "download-path": "Absolute path of the destination folder.",
  files: "Paths of the files written, relative to download-path, as a JSON array.",
  "file-count": "How many files were written.",
  bytes: "Total size of the downloaded archives, in bytes.",
  sha256:
    "SHA-256 of the downloaded archive when exactly one job was fetched (see artifacts for each job's).",
  found: "true when any job with artifacts was found (and, in download mode, fetched), else false.",
  artifacts:
    "JSON manifest, one object a job: action, id, name, pipeline, status, web_url, path, files, bytes, sha256, expires_at.",
} as const;

export type OutputName = keyof typeof OUTPUTS;

/** Each output's type where a face has types (GitLab step outputs); JSON-valued ones are parsed. */
export const OUTPUT_TYPES: Record<OutputName, "string" | "number" | "boolean" | "array"> = {
  "job-id": "string",
  "job-ids": "array",
  "job-urls": "array",
  "pipeline-id": "string",
  "download-path": "string",
  files: "array",
  "file-count": "number",
  bytes: "number",
  sha256: "string",
  found: "boolean",
  artifacts: "array",
};

/** Step outputs, by name. Built from the result alone: no input, so no token, can end up here. */
export function outputs(result: Result): Record<OutputName, string> {
  const files = result.jobs.flatMap((j) => j.files);
  const first = result.jobs[0];
  return {
    "job-id": first?.id === undefined ? "" : String(first.id),
    "job-ids": JSON.stringify(result.jobs.map((j) => j.id)),
    "job-urls": JSON.stringify(result.jobs.map((j) => j.webUrl)),
    "pipeline-id": result.pipelineId === undefined ? "" : String(result.pipelineId),
    "download-path": result.downloadPath,
    files: JSON.stringify(files),
    "file-count": String(files.length),
    bytes: String(result.jobs.reduce((n, j) => n + j.bytes, 0)),
    sha256: result.jobs.length === 1 && first ? first.sha256 : "",
    found: String(result.found),
    artifacts: JSON.stringify(manifest(result)),
  };
}

/** `build (job 1001, pipeline 500)`, or just `build` when GitLab found it by ref. */
const who = (j: JobResult) =>
  j.id === undefined
    ? j.name
    : `${j.name} (job ${j.id}${j.pipelineId ? `, pipeline ${j.pipelineId}` : ""})`;

const VERB: Record<Action, [done: string, dry: string]> = {
  downloaded: ["Fetched", "Would fetch"],
  listed: ["Found", "Found"],
  kept: ["Kept", "Would keep"],
  deleted: ["Deleted", "Would delete"],
};

/** A few readable lines. */
export function summary(result: Result): string {
  if (result.note) return result.note;
  if (!result.found) return `No artifacts found.${result.missing.map((m) => `\n  ${m}`).join("")}`;
  const action = result.jobs[0]?.action ?? "downloaded";
  const verb = VERB[action][result.dryRun ? 1 : 0];
  const bytes = result.jobs.reduce((n, j) => n + j.bytes, 0);
  const count = `${result.jobs.length} job${result.jobs.length === 1 ? "" : "s"}`;
  if (action !== "downloaded" || result.dryRun) {
    const rows = result.jobs.map((j) => [
      j.name,
      j.id === undefined ? "" : String(j.id),
      j.pipelineId === undefined ? "" : String(j.pipelineId),
      j.status ?? "",
      formatBytes(j.bytes),
      j.expiresAt === undefined ? "" : (j.expiresAt ?? "never"),
      j.storage ?? "",
    ]);
    const lines = [
      `${verb} the artifacts of ${count} (${formatBytes(bytes)}):`,
      ...table(["job", "id", "pipeline", "status", "size", "expires", "storage"], rows),
    ];
    for (const m of result.missing) lines.push(`  not found: ${m}`);
    return lines.join("\n");
  }
  const files = result.jobs.reduce((n, j) => n + j.files.length, 0);
  const lines = [
    `${verb} the artifacts of ${count} (${formatBytes(bytes)}, ${files} file${files === 1 ? "" : "s"}) into ${result.downloadPath}`,
    ...result.jobs.map(
      (j) =>
        `  ${who(j)}: ${j.files.length} file${j.files.length === 1 ? "" : "s"}, ${formatBytes(j.bytes)}, sha256 ${j.sha256}`,
    ),
  ];
  if (result.ref)
    lines.push(
      `  (from the newest successful pipeline of ${result.ref}, not the running pipeline)`,
    );
  for (const m of result.missing) lines.push(`  not fetched: ${m}`);
  for (const c of result.conflicts)
    lines.push(`  conflict: ${c} came from more than one job; the last one's copy is kept`);
  return lines.join("\n");
}

/** Left-aligned columns, two spaces apart; columns empty in every row are left out. */
function table(header: string[], rows: string[][]): string[] {
  const used = header.map((_, c) => rows.some((r) => (r[c] ?? "") !== ""));
  const cols = header.map((h, c) => [h, ...rows.map((r) => r[c] ?? "")]).filter((_, c) => used[c]);
  const widths = cols.map((col) => Math.max(...col.map((v) => v.length)));
  const line = (i: number) =>
    `  ${cols
      .map((col, c) => (col[i] ?? "").padEnd(widths[c] ?? 0))
      .join("  ")
      .trimEnd()}`;
  return [0, ...rows.map((_, i) => i + 1)].map(line);
}
