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
  assert.equal(o["web-url"], `${sim.url}/demo/app/-/jobs/1001`);
  assert.equal(o["archive-url"], `${sim.apiUrl}/projects/42/jobs/1001/artifacts`);
  assert.deepEqual(JSON.parse(o["archive-urls"] ?? ""), [
    `${sim.apiUrl}/projects/42/jobs/1001/artifacts`,
  ]);
  assert.equal(o["file-url"], undefined, "no artifact-path, no file URL");
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

test("the action's URLs in GITHUB_OUTPUT (lists as JSON), for jobs by name and for a ref's job by id", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  // Mode url, several jobs: the lists hold a URL each, in the order of the jobs.
  const urls = await runAction(
    {
      mode: "url",
      job: "test",
      "artifact-path": "reports/junit.xml",
      "gitlab-url": sim.apiUrl,
      project: "42",
      "pipeline-id": "500",
      token: JOB_TOKEN,
    },
    dir,
  );
  assert.ok(!("failed" in urls), urls.stdout);
  const o = urls.outputs;
  const file = (id: number, path: string) =>
    `${sim.apiUrl}/projects/42/jobs/${id}/artifacts/${path}`;
  assert.deepEqual(JSON.parse(o["job-ids"] ?? ""), [1002, 1003]);
  assert.equal(o["file-url"], file(1002, "reports/junit.xml"));
  assert.deepEqual(JSON.parse(o["file-urls"] ?? ""), [
    file(1002, "reports/junit.xml"),
    file(1003, "reports/junit.xml"),
  ]);
  assert.deepEqual(
    JSON.parse(o["archive-urls"] ?? ""),
    [1002, 1003].map((id) => `${sim.apiUrl}/projects/42/jobs/${id}/artifacts`),
  );
  assert.deepEqual(JSON.parse(o["job-urls"] ?? ""), [
    `${sim.url}/demo/app/-/jobs/1002`,
    `${sim.url}/demo/app/-/jobs/1003`,
  ]);

  const byRef = await runAction(
    {
      job: "build",
      ref: "main",
      "artifact-path": "dist/app.js",
      path: "ref",
      "gitlab-url": sim.apiUrl,
      project: "42",
      token: JOB_TOKEN,
    },
    dir,
  );
  assert.ok(!("failed" in byRef), byRef.stderr);
  const r = byRef.outputs;
  assert.equal(r["job-id"], "901");
  assert.equal(r["pipeline-id"], "400");
  assert.equal(r["web-url"], `${sim.url}/demo/app/-/jobs/901`);
  assert.equal(r["archive-url"], `${sim.apiUrl}/projects/42/jobs/901/artifacts`);
  assert.equal(r["file-url"], file(901, "dist/app.js"));
  assert.deepEqual(JSON.parse(r["file-urls"] ?? ""), [file(901, "dist/app.js")]);
  const [entry] = JSON.parse(r.artifacts ?? "") as Record<string, unknown>[];
  assert.deepEqual(
    [entry?.id, entry?.pipeline, entry?.file_url],
    [901, 400, file(901, "dist/app.js")],
  );
  assert.equal(readFileSync(join(dir, "ref/dist/app.js"), "utf8"), "console.log('yesterday');\n");
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
