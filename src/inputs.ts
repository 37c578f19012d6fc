/**
 * The one input schema. action.yml, the CLI's flags and --help, and the README's input table
 * are checked against it (test/inputs.test.ts). Names are kebab-case here; GitLab faces use
 * snake_case.
 */
import { resolve } from "node:path";
import { InputError } from "./errors.ts";
import { badPath } from "./archive/paths.ts";
import { type NamePattern, parsePattern, splitPatterns } from "./resolve/match.ts";

export const JOB_STATUSES = [
  "created",
  "waiting_for_resource",
  "preparing",
  "waiting_for_callback",
  "pending",
  "running",
  "success",
  "failed",
  "canceling",
  "canceled",
  "skipped",
  "manual",
  "scheduled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

type Kind = "string" | "boolean" | "integer" | "list" | "enum" | "duration" | "bytes";

export interface InputDef {
  description: string;
  kind: Kind;
  /** The default as written in action.yml; none when absent. */
  default?: string;
  /** Environment variables read, in order, when the input is empty. */
  env?: readonly string[];
  /** Accepted values (enum, or each item of a list). */
  options?: readonly string[];
  min?: number;
  max?: number;
  secret?: boolean;
}

export const MODES = ["download", "list", "keep", "delete", "delete-project"] as const;
export type Mode = (typeof MODES)[number];

export const INPUTS = {
  mode: {
    kind: "enum",
    default: "download",
    options: MODES,
    description:
      "What to do with the artifacts of the jobs found: `download`; `list` them; `keep` them (no expiry); `delete` them; or `delete-project`: every job's artifacts in the project (needs `confirm`).",
  },
  job: {
    kind: "list",
    description:
      "Names of the jobs whose artifacts to fetch, one a line or comma-separated: exact (`build`), glob (`build-*`) or `/regex/`. Parallel (`test 1/2`) and matrix (`build: [linux, amd64]`) jobs also match by their base name.",
  },
  "job-id": {
    kind: "list",
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
  ref: {
    kind: "string",
    description:
      "A branch or tag: fetch `job` from the newest successful pipeline of that ref (GitLab's own lookup, parent pipeline first), not from the running pipeline.",
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
      "Extract the archives; `false` keeps each as `<path>/artifacts.zip` (`<job name>.zip` for several).",
  },
  status: {
    kind: "list",
    default: "success",
    options: JOB_STATUSES,
    description: "Job statuses whose artifacts qualify.",
  },
  "child-pipelines": {
    kind: "boolean",
    default: "true",
    description:
      "Also look for the jobs in child pipelines (through trigger jobs, recursively; parent first).",
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
} as const satisfies Record<string, InputDef>;

export type InputName = keyof typeof INPUTS;
export const INPUT_NAMES = Object.keys(INPUTS) as InputName[];

export interface Token {
  value: string;
  /** How GitLab wants it: job tokens as JOB-TOKEN, every other token as PRIVATE-TOKEN. */
  header: "PRIVATE-TOKEN" | "JOB-TOKEN";
  /** Where it came from, for messages: an input or a variable name. */
  source: string;
}

export interface ExtractLimits {
  maxBytes: number;
  maxEntries: number;
  maxRatio: number;
}

export interface Options {
  mode: Mode;
  dryRun: boolean;
  /** API root, no trailing slash. */
  gitlabUrl: string;
  token: Token;
  project: string;
  /** Set when `job` is used. */
  pipelineId: number | undefined;
  jobs: NamePattern[];
  jobIds: number[];
  /** Absolute destination folder. */
  path: string;
  extract: boolean;
  statuses: ReadonlySet<JobStatus>;
  childPipelines: boolean;
  wait: boolean;
  waitTimeoutMs: number;
  ifNoArtifactFound: "fail" | "warn" | "ignore";
  concurrency: number;
  merge: boolean;
  limits: ExtractLimits;
  /** One file out of each archive, instead of the whole archive. */
  artifactPath: string | undefined;
  /** Files or globs to read out of each archive remotely. */
  paths: string[] | undefined;
  /** Use GitLab's ref endpoints: the newest successful pipeline of this branch or tag. */
  ref: string | undefined;
  /** A CA bundle for a GitLab with a private CA (CI_SERVER_TLS_CA_FILE). */
  caFile: string | undefined;
}

/** Raw input text by name, as a face read it; undefined or empty means "not given". */
export type RawInputs = Partial<Record<InputName, string>>;
type Env = Record<string, string | undefined>;

interface Raw {
  value: string;
  source: string;
}

/** The input's text: given, else the first set environment variable, else the default. */
function raw(name: InputName, inputs: RawInputs, env: Env): Raw | undefined {
  const given = inputs[name]?.trim();
  if (given) return { value: given, source: `input "${name}"` };
  const def: InputDef = INPUTS[name];
  for (const variable of def.env ?? []) {
    const value = env[variable]?.trim();
    if (value) return { value, source: variable };
  }
  return def.default === undefined ? undefined : { value: def.default, source: `input "${name}"` };
}

const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);

function bool(name: InputName, r: Raw): boolean {
  const v = r.value.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new InputError(name, `${JSON.stringify(r.value)} is not a boolean; use true or false`);
}

function integer(name: InputName, r: Raw): number {
  const def: InputDef = INPUTS[name];
  const n = /^\d+$/.test(r.value) ? Number(r.value) : Number.NaN;
  const range =
    def.max === undefined ? `of ${def.min ?? 0} or more` : `from ${def.min ?? 0} to ${def.max}`;
  if (!Number.isSafeInteger(n) || n < (def.min ?? 0) || n > (def.max ?? Number.MAX_SAFE_INTEGER))
    throw new InputError(
      name,
      `${JSON.stringify(r.value)}${r.source === `input "${name}"` ? "" : ` (from ${r.source})`} is not a whole number ${range}`,
    );
  return n;
}

const DURATION_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** `90`, `90s`, `30m`, `1h30m`, `500ms` -> milliseconds. */
function duration(name: InputName, r: Raw): number {
  const text = r.value.replace(/\s+/g, "");
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text)
    throw new InputError(
      name,
      `${JSON.stringify(r.value)} is not a duration; use seconds (300) or a duration like 90s, 30m, 1h30m`,
    );
  return parts.reduce((ms, p) => ms + Number(p[1]) * (DURATION_UNITS[p[2] ?? "s"] ?? 1000), 0);
}

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `1048576`, `500MB`, `10GiB` -> bytes. */
function bytes(name: InputName, r: Raw): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(r.value);
  const unit = BYTE_UNITS[(m?.[2] ?? "").toLowerCase()];
  if (!m || unit === undefined || Number(m[1]) * unit < 1)
    throw new InputError(
      name,
      `${JSON.stringify(r.value)} is not a size; use bytes or a size like 500MB, 10GiB`,
    );
  return Math.floor(Number(m[1]) * unit);
}

function list(r: Raw | undefined): string[] {
  return r
    ? r.value
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

function apiUrl(inputs: RawInputs, env: Env): string {
  const r = raw("gitlab-url", inputs, env);
  const server = env.CI_SERVER_URL?.trim();
  const text = r?.value ?? (server ? `${server.replace(/\/+$/, "")}/api/v4` : undefined);
  if (!text)
    throw new InputError(
      "gitlab-url",
      "not set; give GitLab's API root (https://gitlab.example.com/api/v4), or run in a GitLab job (CI_API_V4_URL)",
    );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(
      "gitlab-url",
      `${JSON.stringify(text)} is not a URL; use GitLab's API root, e.g. https://gitlab.example.com/api/v4`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InputError("gitlab-url", `${JSON.stringify(text)} is not an http(s) URL`);
  if (url.username || url.password || url.search || url.hash)
    throw new InputError(
      "gitlab-url",
      "must be a plain API root, without credentials, query or fragment",
    );
  return url.href.replace(/\/+$/, "");
}

function token(inputs: RawInputs, env: Env): Token {
  const r = raw("token", inputs, env);
  if (!r)
    throw new InputError(
      "token",
      "not set; give a GitLab token with read_api scope, or run in a GitLab job (CI_JOB_TOKEN)",
    );
  // A job token given through the input is still a job token: GitLab wants it as JOB-TOKEN.
  const isJob =
    r.source === "CI_JOB_TOKEN" || r.value === env.CI_JOB_TOKEN || r.value.startsWith("glcbt-");
  return { value: r.value, header: isJob ? "JOB-TOKEN" : "PRIVATE-TOKEN", source: r.source };
}

/**
 * Reads and checks every input before anything touches the network or the disk. Throws an
 * InputError naming the input and what it accepts.
 */
export function readOptions(inputs: RawInputs, env: Env, cwd = process.cwd()): Options {
  const need = (name: InputName) => raw(name, inputs, env);

  const jobText = inputs.job?.trim() ?? "";
  const jobs: NamePattern[] = [];
  for (const text of splitPatterns(jobText)) {
    try {
      jobs.push(parsePattern(text));
    } catch (e) {
      throw new InputError("job", (e as Error).message);
    }
  }
  const idRaw = need("job-id");
  const jobIds = list(idRaw).map((id) =>
    integer("job-id", { value: id, source: 'input "job-id"' }),
  );
  if (jobs.length > 0 && jobIds.length > 0)
    throw new InputError("job-id", "give job names (job) or job ids (job-id), not both");
  const modeText = need("mode")?.value ?? "download";
  if (!(MODES as readonly string[]).includes(modeText))
    throw new InputError(
      "mode",
      `${JSON.stringify(modeText)} is not a mode; use one of ${MODES.join(", ")}`,
    );
  const mode = modeText as Mode;
  if (jobs.length === 0 && jobIds.length === 0 && mode !== "delete-project")
    throw new InputError(
      "job",
      "not set; name the jobs whose artifacts to fetch (e.g. build), or give job-id",
    );
  if ((jobs.length > 0 || jobIds.length > 0) && mode === "delete-project")
    throw new InputError(
      inputs.job?.trim() ? "job" : "job-id",
      "delete-project works on the whole project; to delete the artifacts of some jobs, use mode delete",
    );

  const pipelineRaw = need("pipeline-id");
  // With ref, GitLab finds the pipeline itself.
  const byPipeline = jobs.length > 0 && !inputs.ref?.trim();
  const pipelineId = byPipeline && pipelineRaw ? integer("pipeline-id", pipelineRaw) : undefined;
  if (byPipeline && pipelineId === undefined)
    throw new InputError(
      "pipeline-id",
      "not set; give the pipeline's id, or run in a GitLab job (CI_PIPELINE_ID)",
    );

  const project = need("project")?.value;
  if (!project)
    throw new InputError(
      "project",
      "not set; give the project's id or full path (group/project), or run in a GitLab job (CI_PROJECT_ID)",
    );
  if (!/^\d+$/.test(project) && !/^[^/\s]+(\/[^/\s]+)+$/.test(project))
    throw new InputError(
      "project",
      `${JSON.stringify(project)} is neither a project id nor a full path like group/project`,
    );

  const statuses = list(need("status"));
  for (const s of statuses)
    if (!(JOB_STATUSES as readonly string[]).includes(s))
      throw new InputError(
        "status",
        `${JSON.stringify(s)} is not a job status; use one or more of ${JOB_STATUSES.join(", ")}`,
      );
  if (statuses.length === 0)
    throw new InputError("status", `is empty; use one or more of ${JOB_STATUSES.join(", ")}`);

  const ifNone = need("if-no-artifact-found")?.value ?? "fail";
  if (ifNone !== "fail" && ifNone !== "warn" && ifNone !== "ignore")
    throw new InputError(
      "if-no-artifact-found",
      `${JSON.stringify(ifNone)} is not accepted; use fail, warn or ignore`,
    );

  const req = (name: InputName): Raw => {
    const r = need(name);
    if (!r) throw new InputError(name, "not set");
    return r;
  };

  const artifactPath = inputs["artifact-path"]?.trim() || undefined;
  if (artifactPath !== undefined) {
    const bad = artifactPath.endsWith("/")
      ? `${JSON.stringify(artifactPath)} names a folder; use paths for folders`
      : badPath(artifactPath);
    if (bad) throw new InputError("artifact-path", bad);
    if (mode !== "download")
      throw new InputError(
        "artifact-path",
        `fetches a file, so it goes with mode download, not ${mode}`,
      );
  }
  const pathList = list(need("paths"));
  for (const p of pathList) {
    const bad = badPath(p);
    if (bad) throw new InputError("paths", bad);
  }
  const paths = pathList.length > 0 ? pathList : undefined;
  if (paths && artifactPath !== undefined)
    throw new InputError(
      "paths",
      "give artifact-path (one file) or paths (files, globs, folders), not both",
    );
  if (paths && mode !== "download")
    throw new InputError("paths", `fetches files, so it goes with mode download, not ${mode}`);
  const ref = inputs.ref?.trim() || undefined;
  if (ref !== undefined) {
    if (jobIds.length > 0)
      throw new InputError("ref", "names a job by branch or tag; give job, not job-id");
    if (jobs.length !== 1 || jobs[0]?.kind !== "exact")
      throw new InputError(
        "ref",
        "GitLab looks up exactly one job name by ref: give job one exact name, no glob or regex",
      );
    if (mode !== "download")
      throw new InputError(
        "ref",
        `works with mode download only (GitLab's ref endpoints download), not ${mode}`,
      );
  }

  const tok = token(inputs, env);
  // GitLab refuses job tokens for keep and both deletes: say so before any request.
  if (
    tok.header === "JOB-TOKEN" &&
    (mode === "keep" || mode === "delete" || mode === "delete-project")
  )
    throw new InputError(
      "token",
      `a CI job token (${tok.source}) cannot ${mode === "keep" ? "keep" : "delete"} artifacts: GitLab accepts only access tokens there; set token to a personal, project or group access token with api scope and at least the ${mode === "keep" ? "Developer" : "Maintainer"} role`,
    );
  if (mode === "delete-project" && need("confirm")?.value !== project)
    throw new InputError(
      "confirm",
      `delete-project deletes the artifacts of every job in project ${project} (GitLab keeps the newest successful pipeline of each ref); set confirm to ${JSON.stringify(project)} to go ahead`,
    );

  return {
    mode,
    dryRun: bool("dry-run", req("dry-run")),
    artifactPath,
    paths,
    ref,
    gitlabUrl: apiUrl(inputs, env),
    token: tok,
    project,
    pipelineId,
    jobs,
    jobIds,
    path: resolve(cwd, req("path").value),
    extract: bool("extract", req("extract")),
    statuses: new Set(statuses as JobStatus[]),
    childPipelines: bool("child-pipelines", req("child-pipelines")),
    wait: bool("wait", req("wait")),
    waitTimeoutMs: duration("wait-timeout", req("wait-timeout")),
    ifNoArtifactFound: ifNone,
    concurrency: integer("concurrency", req("concurrency")),
    merge: bool("merge", req("merge")),
    limits: {
      maxBytes: bytes("max-size", req("max-size")),
      maxEntries: integer("max-files", req("max-files")),
      maxRatio: integer("max-ratio", req("max-ratio")),
    },
    caFile: env.CI_SERVER_TLS_CA_FILE?.trim() || undefined,
  };
}
