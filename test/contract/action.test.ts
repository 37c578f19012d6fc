/**
 * The bundled action run exactly as a GitHub-style runner runs it: `node dist/index.js` with
 * INPUT_* variables (action.yml's defaults filled in), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runAction } from "../support/faces.ts";
import { tempDir } from "../support/run.ts";
import { JOB_TOKEN, MAINTAINER, simulate } from "../support/sim.ts";

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
