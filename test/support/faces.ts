/**
 * The bundle (dist/index.js) run as its faces are: the CLI as a `script:` line runs it, and the
 * action exactly as a GitHub-style runner runs it (INPUT_* variables with action.yml's defaults,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files).
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { DIST } from "../../scripts/build.ts";
import { ACTION_YML } from "../../scripts/generate.ts";

const exec = promisify(execFile);

/** The CLI with these flags and only these variables (and PATH); `code` is its exit code. */
export async function runCli(args: string[], env: Record<string, string>, cwd: string) {
  return exec(process.execPath, [DIST, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    cwd,
  }).then(
    (r) => ({ ...r, code: 0 }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

/** The environment a runner gives the action: INPUT_<NAME> for every input, defaults applied. */
function runnerEnv(inputs: Record<string, string>, files: { output: string; summary: string }) {
  const action = parse(readFileSync(ACTION_YML, "utf8")) as {
    inputs: Record<string, { default?: string }>;
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GITHUB_ACTIONS: "true",
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: join(files.output, ".."),
  };
  for (const [name, def] of Object.entries(action.inputs))
    env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? def.default ?? "";
  return env;
}

/** Parses the GITHUB_OUTPUT file (`name<<delimiter` blocks, as @actions/core writes them). */
function outputsOf(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
    out[m[1] as string] = m[3] as string;
  return out;
}

/** The action in `dir` (its outputs and summary files there too), with `env` added. */
export async function runAction(
  inputs: Record<string, string>,
  dir: string,
  env: Record<string, string> = {},
) {
  const files = { output: join(dir, "output.txt"), summary: join(dir, "summary.md") };
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const result = await exec(process.execPath, [DIST], {
    env: { ...runnerEnv(inputs, files), ...env },
    cwd: dir,
  }).catch((e: { code: number; stdout: string; stderr: string }) => ({ ...e, failed: true }));
  return {
    ...result,
    outputs: outputsOf(files.output),
    summary: readFileSync(files.summary, "utf8"),
  };
}
