/**
 * The bundled action run exactly as a GitHub-style runner runs it: `node dist/index.js` with
 * INPUT_* variables (action.yml's defaults filled in), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { DIST } from "../../scripts/build.ts";
import { ACTION_YML } from "../../scripts/generate.ts";
import { tempDir } from "../support/run.ts";
import { JOB_TOKEN, MAINTAINER, simulate } from "../support/sim.ts";

const exec = promisify(execFile);

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

async function runAction(inputs: Record<string, string>, dir: string) {
  const files = { output: join(dir, "output.txt"), summary: join(dir, "summary.md") };
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const result = await exec(process.execPath, [DIST], {
    env: runnerEnv(inputs, files),
    cwd: dir,
  }).catch((e: { code: number; stdout: string; stderr: string }) => ({ ...e, failed: true }));
  return {
    ...result,
    outputs: outputsOf(files.output),
    summary: readFileSync(files.summary, "utf8"),
  };
}

test("the action downloads a sibling's artifacts and writes every output and a summary", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const run = await runAction(
    {
      job: "build",
      path: "out",
      "gitlab-url": sim.apiUrl,
      project: "42",
      "pipeline-id": "500",
      token: JOB_TOKEN,
    },
    dir,
  );
  assert.ok(!("failed" in run), run.stderr);
  const o = run.outputs;
  assert.equal(o["job-id"], "1001");
  assert.deepEqual(JSON.parse(o["job-ids"] ?? ""), [1001]);
  assert.deepEqual(JSON.parse(o["job-urls"] ?? ""), [`${sim.url}/demo/app/-/jobs/1001`]);
  assert.equal(o["pipeline-id"], "500");
  assert.equal(o["download-path"], join(dir, "out"));
  assert.deepEqual(JSON.parse(o.files ?? "").sort(), [
    "bin/latest",
    "bin/tool",
    "data/blob.bin",
    "dist/app.js",
    "dist/app.js.map",
  ]);
  assert.equal(o["file-count"], "5");
  assert.equal(o.bytes, String(sim.archiveOf(1001)?.size));
  assert.equal(o.sha256, sim.archiveOf(1001)?.sha256);
  assert.equal(o.found, "true");
  const manifest = JSON.parse(o.artifacts ?? "") as {
    id: number;
    name: string;
    pipeline: number;
  }[];
  assert.deepEqual(
    manifest.map((m) => [m.id, m.name, m.pipeline]),
    [[1001, "build", 500]],
  );
  assert.match(run.summary, /<table>/);
  assert.match(run.summary, /build<\/a> \(1001\)/);
  assert.equal(
    readFileSync(join(dir, "out/dist/app.js"), "utf8"),
    "console.log('hello from build');\n",
  );
  // The token is masked for the runner, and appears nowhere else.
  assert.ok(run.stdout.includes(`::add-mask::${JOB_TOKEN}`));
  const elsewhere = [
    run.stdout.replace(`::add-mask::${JOB_TOKEN}`, ""),
    run.stderr,
    readFileSync(join(dir, "output.txt"), "utf8"),
    run.summary,
  ];
  for (const text of elsewhere) assert.ok(!text.includes(JOB_TOKEN));
  assert.deepEqual(sim.log.leaks, []);
});

test("a bad input fails the step with a message naming it, exit code 2, and no request", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const run = await runAction(
    {
      job: "build",
      "gitlab-url": sim.apiUrl,
      project: "42",
      "pipeline-id": "500",
      token: MAINTAINER,
      wait: "maybe",
    },
    dir,
  );
  assert.ok("failed" in run);
  assert.equal((run as { code: number }).code, 2);
  assert.match(run.stdout, /^::error::input "wait": "maybe" is not a boolean; use true or false$/m);
  assert.equal(sim.log.entries.length, 0);
  assert.deepEqual(run.outputs, {});
});
