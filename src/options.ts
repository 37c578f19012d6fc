/**
 * What run() is asked to do, as types that admit only the combinations that make sense: a
 * selector (resolve/) says which jobs, a fetch (transfer/) says what of their artifacts, and each
 * mode carries only what it uses. inputs/parse.ts builds these from the inputs and refuses every
 * other combination.
 */
import type { ExtractLimits } from "./archive/limits.ts";
import type { Token } from "./gitlab/auth.ts";
import type { JobSelector, Selector } from "./resolve/targets.ts";
import type { CacheSettings } from "./transfer/cache.ts";
import type { Fetch } from "./transfer/strategy.ts";

export type { ByIds, ByNames, ByRef, JobSelector, Selector } from "./resolve/targets.ts";
export type { Fetch } from "./transfer/strategy.ts";
export type { CacheSettings } from "./transfer/cache.ts";

export const MODES = ["download", "url", "list", "keep", "delete", "delete-project"] as const;
export type Mode = (typeof MODES)[number];

export type IfNone = "fail" | "warn" | "ignore";

export interface Connection {
  /** API root, no trailing slash. */
  gitlabUrl: string;
  token: Token;
  /** A CA bundle for a GitLab with a private CA (CI_SERVER_TLS_CA_FILE). */
  caFile: string | undefined;
  /** Most time a response may go silent (ms). */
  stallMs: number;
}

interface Common {
  connection: Connection;
  project: string;
  /** Nothing is changed or written: report what would be done. */
  dryRun: boolean;
  /** Longest the whole run may take (ms); undefined: no limit. */
  timeoutMs: number | undefined;
}

export interface DownloadOptions extends Common {
  mode: "download";
  selector: Selector;
  fetch: Fetch;
  /** Absolute destination folder. */
  path: string;
  /** Several jobs' files together in `path`, instead of a folder each. */
  merge: boolean;
  concurrency: number;
  limits: ExtractLimits;
  ifNoArtifactFound: IfNone;
  /** Where extracted whole archives of jobs with an id are cached; undefined: no cache. */
  cache: CacheSettings | undefined;
}

/** What `url` prints for each job, a line each. */
export type Print = "url" | "id" | "web-url";

export interface UrlOptions extends Common {
  mode: "url";
  selector: Selector;
  print: Print;
  /** With artifact-path: the URL of that file rather than of the archive. */
  filePath: string | undefined;
  ifNoArtifactFound: IfNone;
}

export interface JobsOptions<M extends "list" | "keep" | "delete"> extends Common {
  mode: M;
  selector: JobSelector;
  ifNoArtifactFound: IfNone;
}

export interface ListOptions extends JobsOptions<"list"> {
  /** List each archive's entries too (those matching `patterns`, when there are any). */
  entries: { patterns: string[] } | undefined;
}

export interface DeleteProjectOptions extends Common {
  mode: "delete-project";
}

export interface OptionsOf {
  download: DownloadOptions;
  url: UrlOptions;
  list: ListOptions;
  keep: JobsOptions<"keep">;
  delete: JobsOptions<"delete">;
  "delete-project": DeleteProjectOptions;
}

export type Options = OptionsOf[Mode];
