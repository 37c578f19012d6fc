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
import { simulate } from "../support/sim.ts";

const exec = promisify(execFile);

test("the step fetches a sibling's artifacts and writes typed outputs to the output file", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const [head, body] = parseAllDocuments(readFileSync(STEP_YML, "utf8")).map((d) => d.toJS()) as [
    {
      spec: {
        inputs: Record<string, { default: unknown }>;
        outputs: Record<string, { type: string }>;
      };
    },
    { exec: { command: string[] }; env: Record<string, string> },
  ];
  const given: Record<string, unknown> = { job: "build", path: "out" };
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
  // Every output the spec declares, but those without a value here (no artifact-path given).
  assert.deepEqual(
    Object.keys(outputs),
    Object.keys(head.spec.outputs).filter((n) => n !== "file_url" && n !== "file_urls"),
  );
  assert.match(String(outputs.archive_url), /\/projects\/42\/jobs\/1001\/artifacts$/);
  assert.equal(outputs.job_id, 1001, "ids are numbers where outputs are typed");
  assert.deepEqual(outputs.job_ids, [1001]);
  assert.equal(outputs.file_count, 5);
  assert.equal(outputs.found, true);
  assert.equal(outputs.sha256, sim.archiveOf(1001)?.sha256);
  for (const [name, { type }] of Object.entries(head.spec.outputs))
    if (name in outputs)
      assert.equal(Array.isArray(outputs[name]) ? "array" : typeof outputs[name], type, name);
  assert.equal(
    readFileSync(join(dir, "out/dist/app.js"), "utf8"),
    "console.log('hello from build');\n",
  );
});
