/**
 * The CLI face: `pipeline-artifacts download --job build`. Flags are the inputs of the one
 * schema; unset flags fall back to the CI_* variables a GitLab job has. Messages go to stderr,
 * the summary (or with --json the manifest) to stdout.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  INPUT_NAMES,
  INPUTS,
  type InputName,
  MODES,
  type RawInputs,
  readOptions,
} from "../inputs.ts";
import type { Log } from "../log.ts";
import { run } from "../main.ts";
import { manifest, summary } from "../report.ts";
import { failure } from "./errors.ts";
import { jobLog, writeReports } from "./gitlab.ts";

declare const PIPELINE_ARTIFACTS_VERSION: string;
const VERSION = typeof PIPELINE_ARTIFACTS_VERSION === "string" ? PIPELINE_ARTIFACTS_VERSION : "dev";

/** Each mode is also a command: `pipeline-artifacts keep --job build` is `--mode keep`. */
const COMMANDS = MODES;

export function usage(): string {
  const flags = INPUT_NAMES.map((name) => {
    const def = INPUTS[name];
    const fallback = [
      "default" in def ? `default ${def.default}` : "",
      "env" in def ? `from ${def.env.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; ");
    return `  --${name}${def.kind === "boolean" ? "[=true|false]" : " VALUE"}\n      ${def.description}${fallback ? ` (${fallback})` : ""}`;
  });
  return [
    "pipeline-artifacts: download the artifacts of sibling jobs in a running GitLab pipeline, by job name",
    "",
    "Usage: pipeline-artifacts [download] --job NAME [--job NAME ...] [options]",
    "       pipeline-artifacts list|keep|delete --job NAME [options]",
    "       pipeline-artifacts delete-project --confirm PROJECT [options]",
    "       pipeline-artifacts --help | --version",
    "",
    "Options:",
    ...flags,
    "  --json",
    "      Print the manifest of what was fetched as JSON on stdout.",
    "  --manifest FILE",
    "      Also write that JSON manifest to FILE (for later jobs: save it as an artifact).",
    "  --dotenv FILE",
    "      Write a dotenv report for later jobs (artifacts:reports:dotenv): PREFIX_JOB_ID, _PIPELINE_ID,",
    "      _DOWNLOAD_PATH, _FILE_COUNT, _BYTES, _SHA256, _FOUND and _MANIFEST (the manifest's path).",
    "  --dotenv-prefix PREFIX",
    "      Prefix of the dotenv keys (default PIPELINE_ARTIFACTS_).",
    "  --step-output FILE",
    "      Append the outputs to FILE as typed JSON lines, as a GitLab CI/CD step does.",
    "  --verbose",
    "      Print debugging details.",
    "",
    "A flag not given is read from PIPELINE_ARTIFACTS_INPUT_<NAME> (e.g. PIPELINE_ARTIFACTS_INPUT_JOB_ID),",
    "then from the CI variables named above.",
    "",
    "Exit codes: 0 done, 1 failed, 2 bad input (nothing was requested or written).",
    "",
  ].join("\n");
}

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
    const def = flag ? (INPUTS[flag[2] as InputName] as { kind: string } | undefined) : undefined;
    if (!flag || !def) {
      out.push(arg);
      // A string flag without `=` takes the next argument as its value, whatever it looks like.
      if (/^--[a-z-]+$/.test(arg) && INPUTS[arg.slice(2) as InputName] && i + 1 < argv.length)
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
      !(COMMANDS as readonly string[]).includes(next)
    ) {
      out.push(`--${flag[2]}=${next}`);
      i++;
    } else out.push(`--${flag[2]}=true`);
  }
  return out;
}

export async function cli(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(normalise(argv));
  } catch (e) {
    io.stderr(
      `pipeline-artifacts: ${(e as Error).message}\nRun pipeline-artifacts --help for the options.\n`,
    );
    return 2;
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
  if (!(COMMANDS as readonly string[]).includes(command) || positionals.length > 1) {
    io.stderr(
      `pipeline-artifacts: unknown command ${JSON.stringify(positionals.join(" "))}; the commands are: ${COMMANDS.join(", ")}\n`,
    );
    return 2;
  }

  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) {
    const v = values[name];
    if (Array.isArray(v)) raw[name] = v.join("\n");
    else if (typeof v === "string") raw[name] = v;
    // The GitLab component and step pass their inputs as variables, never spliced into a command line.
    else if (io.env[inputVariable(name)]) raw[name] = io.env[inputVariable(name)];
  }
  if (positionals[0] !== undefined) {
    if (raw.mode !== undefined && raw.mode !== command) {
      io.stderr(
        `pipeline-artifacts: the command ${command} and --mode ${raw.mode} disagree; give one of them\n`,
      );
      return 2;
    }
    raw.mode = command;
  }
  const verbose = values.verbose === true || io.env.CI_DEBUG_TRACE === "true";
  const log: Log = jobLog({ write: io.stderr, env: io.env, isTTY: io.isTTY ?? false }, verbose);
  const prefix = values["dotenv-prefix"] ?? "PIPELINE_ARTIFACTS_";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) {
    io.stderr(
      `pipeline-artifacts: --dotenv-prefix ${JSON.stringify(prefix)} is not a variable name prefix; use letters, digits and _\n`,
    );
    return 2;
  }
  try {
    const result = await run(readOptions(raw, io.env, io.cwd), {
      log,
      userAgent: `pipeline-artifacts/${VERSION}`,
    });
    const json = `${JSON.stringify({ ...result, jobs: manifest(result) }, null, 2)}\n`;
    await writeReports(
      result,
      {
        dotenv: values.dotenv && resolve(io.cwd, values.dotenv),
        prefix,
        manifest: values.manifest && resolve(io.cwd, values.manifest),
        stepOutput: values["step-output"] && resolve(io.cwd, values["step-output"]),
        base: io.cwd,
      },
      json,
      log,
    );
    io.stdout(values.json ? json : `${summary(result)}\n`);
    return 0;
  } catch (e) {
    const f = failure(e);
    io.stderr(`pipeline-artifacts: ${f.message}\n`);
    if (f.stack && verbose) io.stderr(`${f.stack}\n`);
    return f.exitCode;
  }
}

function parse(argv: string[]) {
  const options = Object.fromEntries(
    INPUT_NAMES.map((name) => [
      name,
      { type: "string" as const, multiple: name === "job" || name === "job-id" },
    ]),
  ) as Record<InputName, { type: "string"; multiple: boolean }>;
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...options,
      json: { type: "boolean" },
      manifest: { type: "string" },
      dotenv: { type: "string" },
      "dotenv-prefix": { type: "string" },
      "step-output": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
}
