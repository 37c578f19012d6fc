/** The GitLab step as a step runner would run it: env from its inputs, its exec command, typed JSON-line outputs. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { STEP_YML } from "../../scripts/generate.ts";
import { ciEnv, tempDir } from "../support/run.ts";
import type { Simulator } from "../simulator/index.ts";
import { simulate } from "../support/sim.ts";

const exec = promisify(execFile);

/** Runs step.yml's exec command as a step runner would, with `given` inputs; its outputs by name. */
async function runStep(sim: Simulator, dir: string, given: Record<string, unknown>) {
  const [head, body] = parseAllDocuments(readFileSync(STEP_YML, "utf8")).map((d) => d.toJS()) as [
    {
      spec: {
        inputs: Record<string, { default: unknown }>;
        outputs: Record<string, { type: string }>;
      };
    },
    { exec: { command: string[] }; env: Record<string, string> },
  ];
  const context: Record<string, string> = {
    step_dir: dirname(STEP_YML),
    output_file: join(dir, "output.jsonl"),
  };
  const interpolate = (s: string) =>
    s.replace(/\$\{\{ (inputs\.)?(\w+) \}\}/g, (_, isInput: string | undefined, k: string) =>
      String(isInput ? (given[k] ?? head.spec.inputs[k]?.default) : context[k]),
    );
  const [command, ...args] = body.exec.command.map(interpolate);
  assert.equal(command, "node");
  const env = Object.fromEntries(Object.entries(body.env).map(([k, v]) => [k, interpolate(v)]));
  await exec(process.execPath, args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", ...ciEnv(sim), ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(join(dir, "output.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { name: string; value: unknown })
      .map((o) => [o.name, o.value]),
  );
  return { spec: head.spec, outputs };
}

test("the step fetches a sibling's artifacts and writes typed outputs to the output file", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const { spec, outputs } = await runStep(sim, dir, { job: "build", path: "out" });
  // Every output the spec declares, but those without a value here (no artifact-path given).
  assert.deepEqual(
    Object.keys(outputs),
    Object.keys(spec.outputs).filter((n) => n !== "file_url" && n !== "file_urls"),
  );
  assert.equal(outputs.archive_url, `${sim.apiUrl}/projects/42/jobs/1001/artifacts`);
  assert.deepEqual(outputs.archive_urls, [`${sim.apiUrl}/projects/42/jobs/1001/artifacts`]);
  assert.equal(outputs.web_url, `${sim.url}/demo/app/-/jobs/1001`);
  assert.equal(outputs.job_id, 1001, "ids are numbers where outputs are typed");
  assert.deepEqual(outputs.job_ids, [1001]);
  assert.equal(outputs.file_count, 5);
  assert.equal(outputs.found, true);
  assert.equal(outputs.sha256, sim.archiveOf(1001)?.sha256);
  for (const [name, { type }] of Object.entries(spec.outputs))
    if (name in outputs)
      assert.equal(Array.isArray(outputs[name]) ? "array" : typeof outputs[name], type, name);
  assert.equal(
    readFileSync(join(dir, "out/dist/app.js"), "utf8"),
    "console.log('hello from build');\n",
  );
});

test("the step with artifact_path writes the file's URL and the list of them", async (t) => {
  const sim = await simulate(t);
  const { outputs } = await runStep(sim, await tempDir(t), {
    job: "build",
    artifact_path: "dist/app.js",
  });
  const url = `${sim.apiUrl}/projects/42/jobs/1001/artifacts/dist/app.js`;
  assert.equal(outputs.file_url, url);
  assert.deepEqual(outputs.file_urls, [url]);
});
