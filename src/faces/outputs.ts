/**
 * The Result as every face hands it on: the outputs (typed, by the schema's OUTPUTS) and the
 * per-job manifest. Built from the Result alone: no input, so no token, can end up here.
 */
import { OUTPUT_NAMES, OUTPUTS, type OutputName } from "../inputs/schema.ts";
import { filesUnder, isDownloaded, type Result } from "../report.ts";
import { errorJson, type Failure } from "./errors.ts";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The per-job manifest (the `artifacts` output and the JSON result's `jobs`). */
export function manifest(result: Result): { [key: string]: Json }[] {
  return result.jobs.map((j) => ({
    action: j.action,
    id: j.id ?? null,
    name: j.name,
    pipeline: j.pipelineId ?? null,
    status: j.status ?? null,
    web_url: j.webUrl,
    archive_url: j.archiveUrl,
    ...(j.fileUrl === undefined ? {} : { file_url: j.fileUrl }),
    ...(isDownloaded(j) ? { path: j.path, files: j.files, cache_hit: j.cacheHit } : {}),
    bytes: j.bytes,
    ...(isDownloaded(j) && j.sha256 !== undefined ? { sha256: j.sha256 } : {}),
    expires_at: j.expiresAt ?? null,
    ...(j.action === "listed" ? { storage: j.storage } : {}),
    ...(j.action === "listed" && j.entries
      ? {
          entries: j.entries.map((e) => ({
            path: e.path,
            type: e.type,
            size: e.size,
            ...(e.mode ? { mode: e.mode } : {}),
            ...(e.target !== undefined ? { target: e.target } : {}),
          })),
        }
      : {}),
  }));
}

/**
 * Version of the JSON result's format (schema/result.schema.json): raised when a key is removed
 * or changes meaning, not when one is added.
 */
export const RESULT_VERSION = 1;

/**
 * The JSON result (`--json`, `--manifest`): the run, then its jobs; on failure the error instead.
 * snake_case keys throughout, like the per-job manifest.
 */
export function resultJson(outcome: Result | Failure): { [key: string]: Json } {
  if (!("jobs" in outcome)) return { version: RESULT_VERSION, error: errorJson(outcome) };
  const r = outcome;
  return {
    version: RESULT_VERSION,
    mode: r.mode,
    dry_run: r.dryRun,
    pipeline_id: r.pipelineId ?? null,
    download_path: r.downloadPath ?? null,
    ...(r.ref === undefined ? {} : { ref: r.ref }),
    found: r.found,
    jobs: manifest(r),
    missing: r.missing,
    conflicts: r.conflicts,
    ...(r.note === undefined ? {} : { note: r.note }),
    ...(r.lines === undefined ? {} : { lines: r.lines }),
  };
}

/** Every output that has a value, typed as OUTPUTS says; those without one are left out. */
export function outputs(result: Result): Partial<Record<OutputName, Json>> {
  const downloaded = result.jobs.filter(isDownloaded);
  const path = result.downloadPath;
  const files = path === undefined ? [] : downloaded.flatMap((j) => filesUnder(j, path));
  const [first] = result.jobs;
  const one = result.jobs.length === 1 && first && isDownloaded(first) ? first : undefined;
  const all: Record<OutputName, Json | undefined> = {
    "job-id": first?.id,
    "job-ids": result.jobs.map((j) => j.id ?? null),
    "job-urls": result.jobs.map((j) => j.webUrl),
    "web-url": first?.webUrl || undefined,
    "archive-url": first?.archiveUrl,
    "archive-urls": result.jobs.map((j) => j.archiveUrl),
    "file-url": first?.fileUrl,
    "file-urls":
      first?.fileUrl === undefined ? undefined : result.jobs.map((j) => j.fileUrl ?? null),
    "pipeline-id": result.pipelineId,
    "download-path": path,
    files,
    "file-count": files.length,
    bytes: result.jobs.reduce((n, j) => n + j.bytes, 0),
    sha256: one?.sha256,
    found: result.found,
    "cache-hit": downloaded.length > 0 ? downloaded.every((j) => j.cacheHit) : undefined,
    artifacts: manifest(result),
  };
  return Object.fromEntries(
    OUTPUT_NAMES.flatMap((n) => (all[n] === undefined ? [] : [[n, all[n]]])),
  );
}

/** An output as text, for formats without types (GITHUB_OUTPUT, dotenv): lists as JSON. */
export function outputText(name: OutputName, value: Json): string {
  return OUTPUTS[name].type === "array" || typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
}

/** Outputs as text, in the schema's order. */
export function textOutputs(result: Result): [OutputName, string][] {
  const values = outputs(result);
  return OUTPUT_NAMES.flatMap((name): [OutputName, string][] => {
    const value = values[name];
    return value === undefined ? [] : [[name, outputText(name, value)]];
  });
}
