/**
 * The CLI face: `pipeline-artifacts download --job build`. Flags are the inputs of the one
 * schema; unset flags fall back to the CI_* variables a GitLab job has. Messages go to stderr,
 * the summary (or with --json the manifest) to stdout.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseBoolean, type RawInputs, readOptions } from "../inputs/parse.ts";
import {
  CLI_FLAGS,
  type CliFlag,
  INPUT_NAMES,
  INPUTS,
  type InputDef,
  type InputName,
  LIST_KINDS,
} from "../inputs/schema.ts";
import type { Log } from "../log.ts";
import { run } from "../main.ts";
import { MODES } from "../options.ts";
import { type Failure, failure } from "./errors.ts";
import { jobLog, writeReports } from "./gitlab.ts";
import { resultJson } from "./outputs.ts";
import { summary } from "./summary.ts";

declare const PIPELINE_ARTIFACTS_VERSION: string;
const VERSION = typeof PIPELINE_ARTIFACTS_VERSION === "string" ? PIPELINE_ARTIFACTS_VERSION : "dev";

/** Each mode is also a command: `pipeline-artifacts keep --job build` is `--mode keep`. */
export const SUBCOMMANDS: readonly string[] = MODES;

/** One flag in --help: its value, what it means, what it accepts, where its default comes from. */
function help(name: string, def: InputDef): string {
  const value =
    def.kind === "boolean" ? "[=true|false]" : LIST_KINDS.has(def.kind) ? " VALUE..." : " VALUE";
  const notes = [
    def.options
      ? `one${LIST_KINDS.has(def.kind) ? " or more" : ""} of ${def.options.join(", ")}`
      : "",
    LIST_KINDS.has(def.kind) ? "repeatable" : "",
    def.default === undefined ? "" : `default ${def.default}`,
    def.env ? `from ${def.env.join(", ")}` : "",
  ].filter(Boolean);
  return `  --${name}${value}\n      ${def.description}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}

export function usage(): string {
  return [
    "pipeline-artifacts: download the artifacts of sibling jobs in a running GitLab pipeline, by job name",
    "",
    "Usage: pipeline-artifacts [download] --job NAME [--job NAME ...] [options]",
    "       pipeline-artifacts list|keep|delete --job NAME [options]",
    "       pipeline-artifacts delete-project --confirm PROJECT [options]",
    "       pipeline-artifacts --help | --version",
    "",
    "Options:",
    ...INPUT_NAMES.map((name) => help(name, INPUTS[name])),
    "",
    "Output:",
    ...CLI_FLAGS_NAMES.map((name) => help(name, CLI_FLAGS[name])),
    "",
    "A flag not given is read from PIPELINE_ARTIFACTS_INPUT_<NAME> (e.g. PIPELINE_ARTIFACTS_INPUT_JOB_ID),",
    "then from the CI variables named above. A flag of a list may be repeated (--status success",
    "--status failed) or hold several values, one a line or comma-separated.",
    "",
    "Exit codes: 0 done, 1 failed, 2 bad input (nothing was requested or written).",
    "",
  ].join("\n");
}

const CLI_FLAGS_NAMES = Object.keys(CLI_FLAGS) as CliFlag[];

/** The variable an input can also come from: `job-id` -> PIPELINE_ARTIFACTS_INPUT_JOB_ID. */
export const inputVariable = (name: InputName) =>
  `PIPELINE_ARTIFACTS_INPUT_${name.toUpperCase().replace(/-/g, "_")}`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stderr is a terminal (for colour). */
  isTTY?: boolean;
  /** Aborted to stop the run (SIGTERM). */
  signal?: AbortSignal;
}

/** The schema's definition of a flag, if it is an input or a CLI flag. */
function flagDef(name: string): InputDef | undefined {
  if (Object.hasOwn(INPUTS, name)) return INPUTS[name as InputName];
  if (Object.hasOwn(CLI_FLAGS, name)) return CLI_FLAGS[name as CliFlag];
  return undefined;
}

/**
 * Boolean flags may be bare (`--wait`), negated (`--no-wait`) or followed by their value
 * (`--wait false`), which Node 20's parseArgs cannot say: rewrite them as `--wait=...`. Values of
 * other flags are left alone, so `--job merge` stays a job name.
 */
function normalise(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const flag = /^--(no-)?([a-z-]+)$/.exec(arg);
    const def = flag ? flagDef(flag[2] ?? "") : undefined;
    if (!flag || !def) {
      out.push(arg);
      // A string flag without `=` takes the next argument as its value, whatever it looks like.
      if (/^--[a-z-]+$/.test(arg) && flagDef(arg.slice(2)) && i + 1 < argv.length)
        out.push(argv[++i] as string);
      continue;
    }
    if (def.kind !== "boolean") {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (flag[1]) out.push(`--${flag[2]}=false`);
    else if (
      next !== undefined &&
      !next.startsWith("-") &&
      !(SUBCOMMANDS as readonly string[]).includes(next)
    ) {
      out.push(`--${flag[2]}=${next}`);
      i++;
    } else out.push(`--${flag[2]}=true`);
  }
  return out;
}

export async function cli(argv: string[], io: Io): Promise<number> {
  // Asked for JSON, a script gets one JSON object on stdout whatever happens.
  const wantsJson = argv.some((a) => a === "--json" || a === "--json=true");
  const fail = (f: Failure): number => {
    io.stderr(`pipeline-artifacts: ${f.message}\n`);
    if (wantsJson) io.stdout(`${JSON.stringify(resultJson(f), null, 2)}\n`);
    return f.exitCode;
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(normalise(argv));
  } catch (e) {
    return fail({
      message: `${(e as Error).message}\nRun pipeline-artifacts --help for the options.`,
      exitCode: 2,
    });
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage());
    return 0;
  }
  if (values.version) {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = positionals[0] ?? "download";
  if (!SUBCOMMANDS.includes(command) || positionals.length > 1)
    return fail({
      message: `unknown command ${JSON.stringify(positionals.join(" "))}; the commands are: ${SUBCOMMANDS.join(", ")}`,
      exitCode: 2,
    });

  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) {
    const v = values[name];
    if (v !== undefined) raw[name] = v.join("\n");
    // The GitLab component and step pass their inputs as variables, never spliced into a command line.
    else if (io.env[inputVariable(name)]) raw[name] = io.env[inputVariable(name)];
  }
  if (positionals[0] !== undefined) {
    if (raw.mode !== undefined && raw.mode !== command)
      return fail({
        message: `the command ${command} and --mode ${raw.mode} disagree; give one of them`,
        exitCode: 2,
        input: "mode",
      });
    raw.mode = command;
  }
  const flag = (name: CliFlag) => values[name]?.at(-1);
  const json = parseBoolean(flag("json") ?? "false");
  const verboseFlag = parseBoolean(flag("verbose") ?? "false");
  if (json === undefined || verboseFlag === undefined)
    return fail({
      message: `--${json === undefined ? "json" : "verbose"} takes true or false`,
      exitCode: 2,
    });
  const verbose = verboseFlag || io.env.CI_DEBUG_TRACE === "true";
  const log: Log = jobLog({ write: io.stderr, env: io.env, isTTY: io.isTTY ?? false }, verbose);
  const prefix = flag("dotenv-prefix") ?? CLI_FLAGS["dotenv-prefix"].default;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix))
    return fail({
      message: `--dotenv-prefix ${JSON.stringify(prefix)} is not a variable name prefix; use letters, digits and _`,
      exitCode: 2,
    });
  const file = (name: CliFlag) => {
    const value = flag(name);
    return value === undefined ? undefined : resolve(io.cwd, value);
  };
  try {
    const result = await run(readOptions(raw, io.env, io.cwd), {
      log,
      userAgent: `pipeline-artifacts/${VERSION}`,
      signal: io.signal,
    });
    const text = `${JSON.stringify(resultJson(result), null, 2)}\n`;
    await writeReports(
      result,
      {
        dotenv: file("dotenv"),
        prefix,
        manifest: file("manifest"),
        stepOutput: file("step-output"),
        base: io.cwd,
      },
      text,
      log,
    );
    const said = summary(result);
    io.stdout(json ? text : said === "" ? "" : `${said}\n`);
    return 0;
  } catch (e) {
    // Run by the GitLab component or step, the inputs are YAML's: hints spell them so.
    const byYaml = Object.keys(io.env).some((k) => k.startsWith("PIPELINE_ARTIFACTS_INPUT_"));
    const f = failure(e, byYaml ? "gitlab" : "cli");
    if (f.stack && verbose) io.stderr(`${f.stack}\n`);
    return fail(f);
  }
}

/** Every flag of the schema takes text (booleans are rewritten to `--flag=value` first). */
function parse(argv: string[]) {
  const flags = [...INPUT_NAMES, ...CLI_FLAGS_NAMES].map((name) => [
    name,
    { type: "string" as const, multiple: true as const },
  ]);
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...(Object.fromEntries(flags) as Record<
        InputName | CliFlag,
        { type: "string"; multiple: true }
      >),
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
}
