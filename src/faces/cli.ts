/**
 * The CLI face: `pipeline-artifacts download --job build`. Flags are the inputs of the one
 * schema; unset flags fall back to the CI_* variables a GitLab job has. Messages go to stderr,
 * the summary (or with --json the manifest) to stdout.
 */
import { parseArgs } from "node:util";
import { INPUT_NAMES, INPUTS, type InputName, type RawInputs, readOptions } from "../inputs.ts";
import type { Log } from "../log.ts";
import { run } from "../main.ts";
import { manifest, summary } from "../report.ts";
import { failure } from "./errors.ts";

declare const PIPELINE_ARTIFACTS_VERSION: string;
const VERSION = typeof PIPELINE_ARTIFACTS_VERSION === "string" ? PIPELINE_ARTIFACTS_VERSION : "dev";

const COMMANDS = ["download"] as const;

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
    "Usage: pipeline-artifacts download --job NAME [--job NAME ...] [options]",
    "       pipeline-artifacts --help | --version",
    "",
    "Options:",
    ...flags,
    "  --json",
    "      Print the manifest of what was fetched as JSON on stdout.",
    "  --verbose",
    "      Print debugging details.",
    "",
    "Exit codes: 0 done, 1 failed, 2 bad input (nothing was requested or written).",
    "",
  ].join("\n");
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Boolean flags may be bare (`--wait`) or negated (`--no-wait`), which Node 20's parseArgs cannot say. */
function normalise(argv: string[]): string[] {
  return argv.map((arg) => {
    const name = arg.replace(/^--(no-)?/, "");
    const def = INPUTS[name as InputName] as { kind: string } | undefined;
    if (def?.kind !== "boolean" || arg.includes("=")) return arg;
    return arg.startsWith("--no-") ? `--${name}=false` : `--${name}=true`;
  });
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
      `pipeline-artifacts: unknown command ${JSON.stringify(positionals.join(" "))}; the command is: ${COMMANDS.join(", ")}\n`,
    );
    return 2;
  }

  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) {
    const v = values[name];
    if (Array.isArray(v)) raw[name] = v.join("\n");
    else if (typeof v === "string") raw[name] = v;
  }
  const verbose = values.verbose === true || io.env.CI_DEBUG_TRACE === "true";
  const log: Log = {
    info: (m) => io.stderr(`${m}\n`),
    warn: (m) => io.stderr(`warning: ${m}\n`),
    debug: (m) => verbose && io.stderr(`debug: ${m}\n`),
    group: async (title, body) => {
      io.stderr(`${title}\n`);
      return body();
    },
  };
  try {
    const result = await run(readOptions(raw, io.env, io.cwd), {
      log,
      userAgent: `pipeline-artifacts/${VERSION}`,
    });
    io.stdout(
      values.json
        ? `${JSON.stringify({ ...result, jobs: manifest(result) }, null, 2)}\n`
        : `${summary(result)}\n`,
    );
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
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
}
