/**
 * From input text to Options. Each input is read by its kind (schema.ts), from the face's value,
 * else its environment variables, else its default; then the rules between inputs are checked.
 * Everything is checked before anything touches the network or the disk: a bad input throws an
 * InputError naming the input and what it accepts.
 */
import { relative, resolve, sep } from "node:path";
import { badPath } from "../archive/paths.ts";
import { InputError } from "../errors.ts";
import { tokenOf, isJobToken, type Token } from "../gitlab/auth.ts";
import type {
  ByNames,
  CacheSettings,
  Connection,
  Fetch,
  Mode,
  Options,
  Selector,
} from "../options.ts";
import { type NamePattern, parsePattern, splitPatterns } from "../resolve/match.ts";
import {
  INPUT_NAMES,
  INPUTS,
  type InputDef,
  type InputName,
  type Kind,
  LIST_KINDS,
} from "./schema.ts";

/** Raw input text by name, as a face read it; undefined or empty means "not given". */
export type RawInputs = Partial<Record<InputName, string>>;
export type Env = Record<string, string | undefined>;

interface Raw {
  value: string;
  /** `input "name"`, or the variable it came from. */
  source: string;
}

type Def<N extends InputName> = (typeof INPUTS)[N];
type Item<N extends InputName> = Def<N> extends { options: readonly (infer O)[] } ? O : string;
interface KindValue<N extends InputName> {
  string: string;
  boolean: boolean;
  integer: number;
  enum: Item<N>;
  duration: number;
  bytes: number;
  list: Item<N>[];
  integers: number[];
  patterns: NamePattern[];
}
/** An input's parsed value: lists are empty when not given; others are undefined without a default. */
export type Value<N extends InputName> = Def<N>["kind"] extends "list" | "integers" | "patterns"
  ? KindValue<N>[Def<N>["kind"]]
  : Def<N> extends { default: string }
    ? KindValue<N>[Def<N>["kind"]]
    : KindValue<N>[Def<N>["kind"]] | undefined;

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

/** `"abc"`, or `"abc" (from CI_PIPELINE_ID)` when it came from a variable. */
const quoted = (name: InputName, r: Raw) =>
  `${JSON.stringify(r.value)}${r.source === `input "${name}"` ? "" : ` (from ${r.source})`}`;

const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);

/** `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`, any case; undefined for anything else. */
export function parseBoolean(text: string): boolean | undefined {
  const v = text.trim().toLowerCase();
  return TRUE.has(v) ? true : FALSE.has(v) ? false : undefined;
}

function bool(name: InputName, r: Raw): boolean {
  const value = parseBoolean(r.value);
  if (value !== undefined) return value;
  throw new InputError(name, `${quoted(name, r)} is not a boolean; use true or false`);
}

function integer(name: InputName, r: Raw): number {
  const def: InputDef = INPUTS[name];
  const n = /^\d+$/.test(r.value) ? Number(r.value) : Number.NaN;
  const range =
    def.max === undefined ? `of ${def.min ?? 0} or more` : `from ${def.min ?? 0} to ${def.max}`;
  if (!Number.isSafeInteger(n) || n < (def.min ?? 0) || n > (def.max ?? Number.MAX_SAFE_INTEGER))
    throw new InputError(name, `${quoted(name, r)} is not a whole number ${range}`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** `90`, `90s`, `30m`, `1h30m`, `500ms` -> milliseconds. */
function duration(name: InputName, r: Raw): number {
  const text = r.value.replace(/\s+/g, "");
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : durationParts(name, r, text);
  if (ms === 0)
    throw new InputError(name, `${quoted(name, r)} is no time at all; give more than 0`);
  return ms;
}

function durationParts(name: InputName, r: Raw, text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text)
    throw new InputError(
      name,
      `${quoted(name, r)} is not a duration; use seconds (300) or a duration like 90s, 30m, 1h30m`,
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
      `${quoted(name, r)} is not a size; use bytes or a size like 500MB, 10GiB`,
    );
  return Math.floor(Number(m[1]) * unit);
}

const split = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** `a, b or c`. */
const either = (items: readonly string[]) =>
  items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;

function oneOf(name: InputName, value: string): string {
  const def: InputDef = INPUTS[name];
  const options = def.options ?? [];
  if (!options.includes(value))
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not ${def.noun ?? "accepted"}; use ${LIST_KINDS.has(def.kind) ? "one or more of " : ""}${either(options)}`,
    );
  return value;
}

const PARSERS: Record<Kind, (name: InputName, r: Raw) => unknown> = {
  string: (_name, r) => r.value,
  boolean: bool,
  integer,
  enum: (name, r) => oneOf(name, r.value),
  duration,
  bytes,
  list: (name, r) => {
    const items = split(r.value);
    const def: InputDef = INPUTS[name];
    return def.options ? items.map((v) => oneOf(name, v)) : items;
  },
  integers: (name, r) => split(r.value).map((v) => integer(name, { ...r, value: v })),
  patterns: (name, r) =>
    splitPatterns(r.value).map((text) => {
      try {
        return parsePattern(text);
      } catch (e) {
        throw new InputError(name, (e as Error).message);
      }
    }),
};

/** Reads one input by its kind. */
export function readInput<N extends InputName>(name: N, inputs: RawInputs, env: Env): Value<N> {
  const def: InputDef = INPUTS[name];
  const r = raw(name, inputs, env);
  if (!r) return (LIST_KINDS.has(def.kind) ? [] : undefined) as Value<N>;
  // Parsing is where text becomes typed: the parser for the input's kind made exactly this type.
  return PARSERS[def.kind](name, r) as Value<N>;
}

/** Every input, read by its kind. */
export type Values = { [N in InputName]: Value<N> };

/** Reads every input, so that a bad one is refused even where the mode does not use it. */
function readAll(inputs: RawInputs, env: Env): Values {
  return Object.fromEntries(INPUT_NAMES.map((n) => [n, readInput(n, inputs, env)])) as Values;
}

/** Where an input's value came from, for messages (`input "x"` or a variable). */
const sourceOf = (name: InputName, inputs: RawInputs, env: Env) => raw(name, inputs, env)?.source;

function apiUrl(v: Values, env: Env): string {
  const given = v["gitlab-url"];
  const server = env.CI_SERVER_URL?.trim();
  const text = given ?? (server ? `${server.replace(/\/+$/, "")}/api/v4` : undefined);
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

function token(v: Values, inputs: RawInputs, env: Env): Token {
  const value = v.token;
  const source = sourceOf("token", inputs, env);
  if (value === undefined || source === undefined)
    throw new InputError(
      "token",
      "not set; give a GitLab token with read_api scope, or run in a GitLab job (CI_JOB_TOKEN)",
    );
  // A header value cannot hold control characters; the token itself is never echoed.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\x00-\x1f\x7f]/.test(value))
    throw new InputError(
      "token",
      `the token (${source}) holds a line break or another control character; give the token alone, on one line`,
    );
  return tokenOf(value, source, env.CI_JOB_TOKEN?.trim());
}

function project(v: Values): string {
  const value = v.project;
  if (!value)
    throw new InputError(
      "project",
      "not set; give the project's id or full path (group/project), or run in a GitLab job (CI_PROJECT_ID)",
    );
  if (!/^\d+$/.test(value) && !/^[^/\s]+(\/[^/\s]+)+$/.test(value))
    throw new InputError(
      "project",
      `${JSON.stringify(value)} is neither a project id nor a full path like group/project`,
    );
  return value;
}

/** Which jobs: names in the running pipeline, ids, or one name in the newest pipeline of a ref. */
/**
 * The pipeline that triggered this one: GitLab 18.9+ says it (CI_UPSTREAM_PIPELINE_ID and
 * _PROJECT_ID); older GitLab needs the trigger job to pass PARENT_PIPELINE_ID.
 */
function upstreamOf(
  env: Env,
  project: string | undefined,
): { pipelineId: number; project: string | undefined } {
  const id = env.CI_UPSTREAM_PIPELINE_ID?.trim() || env.PARENT_PIPELINE_ID?.trim();
  if (!id || !/^\d+$/.test(id))
    throw new InputError(
      "upstream",
      `needs the upstream pipeline's id: CI_UPSTREAM_PIPELINE_ID (GitLab 18.9+) or PARENT_PIPELINE_ID, which the trigger job can pass (variables: PARENT_PIPELINE_ID: $CI_PIPELINE_ID)${id ? `; got ${JSON.stringify(id)}` : ", and neither is set"}`,
    );
  const other = env.CI_UPSTREAM_PROJECT_ID?.trim();
  return { pipelineId: Number(id), project: other && other !== project ? other : undefined };
}

/** The job running the tool, from CI_JOB_ID. */
function runningJob(env: Env): number | undefined {
  const id = env.CI_JOB_ID?.trim();
  return id && /^\d+$/.test(id) ? Number(id) : undefined;
}

function selector(v: Values, inputs: RawInputs, env: Env): Selector {
  const { job: patterns, "job-id": ids, ref, wait } = v;
  if (patterns.length > 0 && ids.length > 0)
    throw new InputError("job-id", "give job names (job) or job ids (job-id), not both");
  if (patterns.length === 0 && ids.length === 0)
    throw new InputError(
      "job",
      "not set; name the jobs whose artifacts to fetch (e.g. build), or give job-id",
    );
  const byPipeline = patterns.length > 0 && ref === undefined;
  if (!byPipeline && inputs["pipeline-id"]?.trim())
    throw new InputError(
      "pipeline-id",
      `is used only to find jobs by name in a pipeline; with ${ref === undefined ? "job-id" : "ref"} GitLab needs none`,
    );
  if (!byPipeline && wait)
    throw new InputError(
      "wait",
      `waits for jobs found by name in the running pipeline; with ${ref === undefined ? "job-id" : "ref"} there is nothing to wait for`,
    );
  if (ref !== undefined) {
    if (ids.length > 0)
      throw new InputError("ref", "names a job by branch or tag; give job, not job-id");
    const [only] = patterns;
    if (patterns.length !== 1 || only?.kind !== "exact")
      throw new InputError(
        "ref",
        "GitLab looks up exactly one job name by ref: give job one exact name, no glob or regex",
      );
    return { kind: "ref", ref, name: only.text };
  }
  if (ids.length > 0) return { kind: "ids", ids };
  const pipelineId = v["pipeline-id"];
  if (pipelineId === undefined)
    throw new InputError(
      "pipeline-id",
      "not set; give the pipeline's id, or run in a GitLab job (CI_PIPELINE_ID)",
    );
  const statuses = v.status;
  if (statuses.length === 0)
    throw new InputError(
      "status",
      `is empty; use one or more of ${INPUTS.status.options.join(", ")}`,
    );
  const names: ByNames = {
    kind: "names",
    pipelineId,
    patterns,
    childPipelines: v["child-pipelines"],
    statuses: new Set(statuses),
    waitMs: wait ? v["wait-timeout"] : undefined,
    self: runningJob(env),
    upstream: v.upstream ? upstreamOf(env, v.project) : undefined,
  };
  return names;
}

/** What of the artifacts: the archive (extracted or not), one file, or files by pattern. */
function fetch(v: Values): Fetch {
  const { "artifact-path": file, paths, extract, mode } = v;
  if (file !== undefined) {
    const bad = file.endsWith("/")
      ? `${JSON.stringify(file)} names a folder; use paths for folders`
      : badPath(file);
    if (bad) throw new InputError("artifact-path", bad);
  }
  for (const p of paths) {
    const bad = badPath(p);
    if (bad) throw new InputError("paths", bad);
  }
  if (paths.length > 0 && file !== undefined)
    throw new InputError(
      "paths",
      "give artifact-path (one file) or paths (files, globs, folders), not both",
    );
  const picked = file !== undefined ? "artifact-path" : paths.length > 0 ? "paths" : undefined;
  const listing = mode === "list" && v.files;
  if (
    picked &&
    mode !== "download" &&
    !(picked === "artifact-path" && mode === "url") &&
    !(picked === "paths" && listing)
  )
    throw new InputError(
      picked,
      `fetches ${picked === "paths" ? "files" : "a file"}, so it goes with mode download${picked === "artifact-path" ? " or url" : " (or list with files: true)"}, not ${mode}`,
    );
  if (picked && !extract)
    throw new InputError(
      "extract",
      `false keeps whole archives as zip files, and ${picked} fetches files out of them; give one of the two`,
    );
  if (file !== undefined) return { kind: "file", path: file };
  if (paths.length > 0) return { kind: "paths", patterns: paths };
  return { kind: "archive", extract };
}

/**
 * The cache: off, a folder, or `true` for RUNNER_TOOL_CACHE. Neither it nor the destination may
 * lie inside the other (a commit into path would meet the cache's files, or eviction the job's).
 */
function cache(v: Values, env: Env, cwd: string, path: string): CacheSettings | undefined {
  const given = v.cache;
  const on = given === undefined ? false : parseBoolean(given);
  if (on === false) return undefined;
  const tool = env.RUNNER_TOOL_CACHE?.trim();
  if (on === true && !tool)
    throw new InputError(
      "cache",
      `${JSON.stringify(given)} caches in the runner's tool cache, but RUNNER_TOOL_CACHE is not set; give a folder (e.g. /var/cache/pipeline-artifacts), or false`,
    );
  const root = resolve(cwd, on === true && tool ? tool : (given ?? ""));
  const inside = (a: string, b: string) => {
    const up = relative(b, a);
    return up !== ".." && !up.startsWith(`..${sep}`);
  };
  if (inside(root, path) || inside(path, root))
    throw new InputError(
      "cache",
      `${root} and path (${path}) lie one inside the other; give the cache a folder of its own`,
    );
  return { root, maxBytes: v["cache-max-size"] };
}

/**
 * Reads and checks every input before anything touches the network or the disk. Throws an
 * InputError naming the input and what it accepts.
 */
export function readOptions(inputs: RawInputs, env: Env, cwd = process.cwd()): Options {
  const v = readAll(inputs, env);
  const { mode } = v;
  const what = fetch(v);
  const tok = token(v, inputs, env);
  const connection: Connection = {
    gitlabUrl: apiUrl(v, env),
    token: tok,
    caFile: env.CI_SERVER_TLS_CA_FILE?.trim() || undefined,
    stallMs: v["stall-timeout"],
  };
  const proj = project(v);
  const common = { connection, project: proj, dryRun: v["dry-run"], timeoutMs: v.timeout };

  if (mode === "delete-project") {
    const named = v.job.length > 0 ? "job" : v["job-id"].length > 0 ? "job-id" : undefined;
    if (named)
      throw new InputError(
        named,
        "delete-project works on the whole project; to delete the artifacts of some jobs, use mode delete",
      );
    refuseJobToken(tok, mode);
    if (v.confirm !== proj)
      throw new InputError(
        "confirm",
        `delete-project deletes the artifacts of every job in project ${proj} (GitLab keeps the newest successful pipeline of each ref); set confirm to ${JSON.stringify(proj)} to go ahead`,
      );
    return { ...common, mode };
  }

  const chosen = selector(v, inputs, env);
  const ifNoArtifactFound = v["if-no-artifact-found"];
  if (mode === "download") {
    const path = resolve(cwd, v.path);
    return {
      ...common,
      mode,
      selector: chosen,
      fetch: what,
      path,
      merge: v.merge,
      concurrency: v.concurrency,
      limits: { maxBytes: v["max-size"], maxEntries: v["max-files"], maxRatio: v["max-ratio"] },
      ifNoArtifactFound,
      cache: cache(v, env, cwd, path),
    };
  }
  if (mode === "url")
    return {
      ...common,
      mode,
      selector: chosen,
      print: v.print,
      filePath: what.kind === "file" ? what.path : undefined,
      ifNoArtifactFound,
    };
  if (chosen.kind === "ref")
    throw new InputError(
      "ref",
      `works with modes download and url only (GitLab's ref endpoints download), not ${mode}`,
    );
  refuseJobToken(tok, mode);
  if (mode === "list")
    return {
      ...common,
      mode,
      selector: chosen,
      ifNoArtifactFound,
      entries: v.files ? { patterns: v.paths } : undefined,
    };
  return { ...common, mode, selector: chosen, ifNoArtifactFound };
}

/** GitLab refuses job tokens for keep and both deletes: say so before any request. */
function refuseJobToken(tok: Token, mode: Mode): void {
  if (!isJobToken(tok) || (mode !== "keep" && mode !== "delete" && mode !== "delete-project"))
    return;
  throw new InputError(
    "token",
    `a CI job token (${tok.source}) cannot ${mode === "keep" ? "keep" : "delete"} artifacts: GitLab accepts only access tokens there; set token to a personal, project or group access token with api scope and at least the ${mode === "keep" ? "Developer" : "Maintainer"} role`,
  );
}
