/**
 * The one input schema: every input of every face, the CLI-only flags, and every output.
 * action.yml, the component and step specs, the CLI's flags and --help, and the README's tables
 * are generated from it (scripts/generate.ts) and parsing is driven by it (parse.ts): an input is
 * read by its kind, and every list kind is repeatable on the CLI and split on newlines and commas.
 * Names are kebab-case here; GitLab faces use snake_case.
 */
import { JOB_STATUSES } from "../gitlab/api.ts";
import { MODES } from "../options.ts";

/**
 * How an input's text is read: `list` splits on newlines and commas; `integers` is such a list of
 * whole numbers; `patterns` is a list of job-name patterns (commas inside `[...]` or a `/regex/`
 * do not split).
 */
export type Kind =
  | "string"
  | "boolean"
  | "integer"
  | "enum"
  | "duration"
  | "bytes"
  | "list"
  | "integers"
  | "patterns";

export const LIST_KINDS: ReadonlySet<Kind> = new Set(["list", "integers", "patterns"]);

export interface InputDef {
  description: string;
  kind: Kind;
  /** The default as written in action.yml; none when absent. */
  default?: string;
  /** Environment variables read, in order, when the input is empty. */
  env?: readonly string[];
  /** Accepted values (enum, or each item of a list). */
  options?: readonly string[];
  /** What a value is, for messages: `"x" is not a job status`. */
  noun?: string;
  min?: number;
  max?: number;
  secret?: boolean;
}

export const INPUTS = {
  mode: {
    kind: "enum",
    default: "download",
    options: MODES,
    noun: "a mode",
    description:
      "What to do with the artifacts of the jobs found: `download`; print their `url`s (one a line, for a shell's `$(...)`; see `print`); `list` them; `keep` them (no expiry); `delete` them; or `delete-project`: every job's artifacts in the project (needs `confirm`).",
  },
  job: {
    kind: "patterns",
    description:
      "Names of the jobs whose artifacts to fetch, one a line or comma-separated: exact (`build`), glob (`build-*`) or `/regex/`. Parallel (`test 1/2`) and matrix (`build: [linux, amd64]`) jobs also match by their base name.",
  },
  "job-id": {
    kind: "integers",
    min: 1,
    description: "Ids of the jobs to fetch, instead of `job`: no pipeline lookup.",
  },
  "artifact-path": {
    kind: "string",
    description:
      "One file to fetch out of each job's archive, by its exact path in the archive (case-sensitive, forward slashes), instead of the whole archive.",
  },
  paths: {
    kind: "list",
    description:
      "Files to fetch out of each job's archive without downloading all of it, one a line or comma-separated: exact paths, globs (`*` within a folder, `**` across folders) or `folder/`. The archive is read where it lies through HTTP ranges (only its directory and the wanted files travel), or downloaded whole when the server ignores ranges.",
  },
  files: {
    kind: "boolean",
    default: "false",
    description:
      "For mode `list`: also each archive's entries (path, type, size, mode, symlink target), read from its central directory through HTTP ranges, so nothing else of it travels; with `paths`, only the matching entries.",
  },
  ref: {
    kind: "string",
    description:
      "A branch or tag: fetch `job` from the newest successful pipeline of that ref, not from the running pipeline. The job is the one GitLab's ref endpoints serve (that pipeline, then its child pipelines, the first job of that name with artifacts), found by listing, so results carry its id and URLs; where the token may not list pipelines (a job token on older GitLab), GitLab's ref endpoint finds it and the id is unknown.",
  },
  print: {
    kind: "enum",
    default: "url",
    options: ["url", "id", "web-url"],
    description:
      "For mode `url`, what to print for each job, a line each: the API URL of its archive (of the `artifact-path` file when given), its job id, or its web page.",
  },
  "pipeline-id": {
    kind: "integer",
    min: 1,
    env: ["CI_PIPELINE_ID"],
    description: "The pipeline whose jobs `job` names.",
  },
  project: {
    kind: "string",
    env: ["CI_PROJECT_ID"],
    description: "Project id or full path (`group/project`).",
  },
  "gitlab-url": {
    kind: "string",
    env: ["CI_API_V4_URL"],
    description:
      "GitLab's API root (`https://gitlab.example.com/api/v4`); `CI_SERVER_URL` + `/api/v4` when unset.",
  },
  token: {
    kind: "string",
    secret: true,
    env: ["GITLAB_TOKEN", "CI_JOB_TOKEN"],
    description:
      "GitLab token: a personal, project or group access token (sent as PRIVATE-TOKEN), or a CI job token (sent as JOB-TOKEN).",
  },
  path: {
    kind: "string",
    default: ".",
    description:
      "Destination folder. Several jobs go to `<path>/<job name>` unless `merge` is set.",
  },
  extract: {
    kind: "boolean",
    default: "true",
    description:
      "Extract the archives; `false` keeps each as `<path>/artifacts.zip`, or `<path>/<job name>.zip` when several jobs are fetched.",
  },
  status: {
    kind: "list",
    default: "success",
    options: JOB_STATUSES,
    noun: "a job status",
    description: "Job statuses whose artifacts qualify.",
  },
  "child-pipelines": {
    kind: "boolean",
    default: "true",
    description:
      "Also look for the jobs in child pipelines (through trigger jobs, recursively; parent first).",
  },
  upstream: {
    kind: "boolean",
    default: "false",
    description:
      "Also look in the pipeline that triggered this one (a child's parent), and its other child pipelines, after this pipeline and its children. The parent comes from `CI_UPSTREAM_PIPELINE_ID` and `CI_UPSTREAM_PROJECT_ID` (GitLab 18.9+), else from `PARENT_PIPELINE_ID` (set `PARENT_PIPELINE_ID: $CI_PIPELINE_ID` in the trigger job's variables on older GitLab).",
  },
  wait: {
    kind: "boolean",
    default: "false",
    description: "Wait for matching jobs that have not finished yet.",
  },
  "wait-timeout": {
    kind: "duration",
    default: "30m",
    description: "How long `wait` waits, e.g. `90s`, `30m`, `1h30m` (plain numbers are seconds).",
  },
  "stall-timeout": {
    kind: "duration",
    default: "30s",
    description:
      "How long a response may go without a byte before it is dropped and resumed (or retried) like a broken connection.",
  },
  timeout: {
    kind: "duration",
    description:
      "Longest the whole run may take, e.g. `10m`; on expiry it stops, removes its temporary files and fails (exit 1). Unset: no limit (wait-timeout still bounds waiting).",
  },
  "if-no-artifact-found": {
    kind: "enum",
    default: "fail",
    options: ["fail", "warn", "ignore"],
    description: "What to do when no matching job has artifacts.",
  },
  concurrency: {
    kind: "integer",
    default: "4",
    min: 1,
    max: 32,
    description: "How many jobs' artifacts download at once.",
  },
  merge: {
    kind: "boolean",
    default: "false",
    description:
      "Put several jobs' files together in `path`; files that two jobs both have are reported as conflicts.",
  },
  "max-size": {
    kind: "bytes",
    default: "10GiB",
    description: "Most bytes one archive may extract to (a zip-bomb guard).",
  },
  "max-files": {
    kind: "integer",
    default: "100000",
    min: 1,
    description: "Most entries one archive may hold.",
  },
  "dry-run": {
    kind: "boolean",
    default: "false",
    description:
      "Find the jobs and report what would be fetched, kept or deleted, and change nothing.",
  },
  confirm: {
    kind: "string",
    description:
      "For `delete-project`, which deletes the artifacts of every job in a project: the project, exactly as given in `project`.",
  },
  "max-ratio": {
    kind: "integer",
    default: "1000",
    min: 1,
    description: "Highest compression ratio an entry of 1 MiB or more may have (a zip-bomb guard).",
  },
  cache: {
    kind: "string",
    description:
      "Keep each job's extracted artifacts on the runner, by job id, and take them from there when the job is fetched again, with no request for its archive: a folder, or `true` for `RUNNER_TOOL_CACHE`. Whole archives, extracted, only (`artifact-path`, `paths`, `extract: false` and `ref` bypass it); see Cache.",
  },
  "cache-max-size": {
    kind: "bytes",
    default: "10GiB",
    description:
      "Most bytes the cache's entries may hold together; past it, the least recently used entries are removed. A tree larger than this is not cached.",
  },
} as const satisfies Record<string, InputDef>;

export type InputName = keyof typeof INPUTS;
export const INPUT_NAMES = Object.keys(INPUTS) as InputName[];

/** Flags of the CLI alone: where its results go and how much it says. */
export const CLI_FLAGS = {
  json: {
    kind: "boolean",
    description:
      "Print the result as JSON on stdout (on failure too: one object with `error`), instead of a summary.",
  },
  manifest: {
    kind: "string",
    description:
      "Also write the JSON result to this file (for later jobs: save it as an artifact).",
  },
  dotenv: {
    kind: "string",
    description:
      "Write a dotenv report for later jobs (artifacts:reports:dotenv): `<prefix>JOB_ID`, `_PIPELINE_ID`, `_WEB_URL`, `_ARCHIVE_URL`, `_FILE_URL`, `_DOWNLOAD_PATH`, `_FILE_COUNT`, `_BYTES`, `_SHA256`, `_FOUND` and `_MANIFEST` (the manifest's path); each only when it has a value.",
  },
  "dotenv-prefix": {
    kind: "string",
    default: "PIPELINE_ARTIFACTS_",
    description: "Prefix of the dotenv keys: letters, digits and `_`.",
  },
  "step-output": {
    kind: "string",
    description:
      "Append the outputs to this file as typed JSON lines, as a GitLab CI/CD step does.",
  },
  verbose: {
    kind: "boolean",
    description:
      "Log every HTTP request (method, path, status, size, time, retries) and each decision made while resolving jobs; also on with CI_DEBUG_TRACE=true.",
  },
} as const satisfies Record<string, InputDef>;

export type CliFlag = keyof typeof CLI_FLAGS;

export type OutputType = "string" | "number" | "boolean" | "array";

/**
 * Every output, with its description and type. Faces with types (GitLab step outputs, JSON) get
 * typed values; GITHUB_OUTPUT and dotenv get text. An output without a value is left out.
 */
export const OUTPUTS = {
  "job-id": { type: "number", description: "Id of the (first) job whose artifacts were fetched." },
  "job-ids": {
    type: "array",
    description: "Ids of the jobs whose artifacts were fetched, as a JSON array.",
  },
  "job-urls": { type: "array", description: "Web URLs of those jobs, as a JSON array." },
  "web-url": { type: "string", description: "Web URL of the (first) job." },
  "archive-url": {
    type: "string",
    description:
      "API URL of the (first) job's archive: download it with a PRIVATE-TOKEN or JOB-TOKEN header (curl -L).",
  },
  "archive-urls": {
    type: "array",
    description: "API URLs of the jobs' archives, as a JSON array.",
  },
  "file-url": {
    type: "string",
    description: "With artifact-path: API URL of that file in the (first) job's archive.",
  },
  "file-urls": {
    type: "array",
    description:
      "With artifact-path: API URLs of that file in each job's archive, as a JSON array.",
  },
  "pipeline-id": { type: "number", description: "The pipeline the jobs were looked up in." },
  "download-path": { type: "string", description: "Absolute path of the destination folder." },
  files: {
    type: "array",
    description: "Paths of the files written, relative to download-path, as a JSON array.",
  },
  "file-count": { type: "number", description: "How many files were written." },
  bytes: { type: "number", description: "Total size of what was downloaded, in bytes." },
  sha256: {
    type: "string",
    description:
      "SHA-256 of the downloaded archive when exactly one job's whole archive was downloaded (see artifacts for each job's); absent otherwise.",
  },
  found: {
    type: "boolean",
    description:
      "true when any job with artifacts was found (and, in download mode, fetched), else false.",
  },
  "cache-hit": {
    type: "boolean",
    description:
      "In download mode: true when every job's files came from the cache (no archive downloaded), false when any was downloaded; see artifacts for each job's.",
  },
  artifacts: {
    type: "array",
    description:
      "JSON manifest, one object a job: action, id, name, pipeline, status, web_url, archive_url, file_url (with artifact-path), path, files and cache_hit (once downloaded), bytes, sha256 (when the archive was downloaded or cached), expires_at.",
  },
} as const satisfies Record<string, { type: OutputType; description: string }>;

export type OutputName = keyof typeof OUTPUTS;
export const OUTPUT_NAMES = Object.keys(OUTPUTS) as OutputName[];
