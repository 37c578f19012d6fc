/**
 * The component's job as a runner would run it: its variables from the component's inputs
 * (defaults, plus what a user sets), its script line with the bundled CLI, then what a later job
 * gets: the dotenv report and the manifest.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { DIST } from "../../scripts/build.ts";
import { COMPONENT_YML } from "../../scripts/generate.ts";
import { ciEnv, tempDir } from "../support/run.ts";
import { simulate } from "../support/sim.ts";

const exec = promisify(execFile);

/** The job's variables with `$[[ inputs.x ]]` interpolated as GitLab does. */
function jobOf(given: Record<string, string | boolean | number>) {
  const [head, body] = parseAllDocuments(readFileSync(COMPONENT_YML, "utf8")).map((d) =>
    d.toJS(),
  ) as [
    { spec: { inputs: Record<string, { default: unknown }> } },
    Record<
      string,
      {
        variables: Record<string, string>;
        script: string[];
        artifacts: { paths: string[]; reports: { dotenv: string } };
      }
    >,
  ];
  const values = Object.fromEntries(
    Object.entries(head.spec.inputs).map(([k, v]) => [k, given[k] ?? v.default]),
  );
  const interpolate = (s: string) =>
    s.replace(/\$\[\[ inputs\.(\w+) \]\]/g, (_, k: string) => String(values[k]));
  const job = body["$[[ inputs.job_name ]]"];
  assert.ok(job);
  return {
    variables: Object.fromEntries(
      Object.entries(job.variables).map(([k, v]) => [k, interpolate(v)]),
    ),
    script: job.script.map(interpolate),
    artifacts: job.artifacts.paths.map(interpolate),
    dotenv: job.artifacts.reports.dotenv,
  };
}

test("the component's job downloads a sibling's artifacts and reports to later jobs", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const job = jobOf({ job: "build, test", wait: false });
  const [line] = job.script;
  assert.ok(line?.startsWith("pipeline-artifacts "));
  const args = (line ?? "").split(" ").slice(1);
  await exec(process.execPath, [DIST, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", GITLAB_CI: "true", ...ciEnv(sim), ...job.variables },
  });
  // The job's artifacts: the fetched folder (default `fetched`) and the manifest.
  assert.deepEqual(job.artifacts, ["fetched", "pipeline-artifacts.json"]);
  assert.equal(
    readFileSync(join(dir, "fetched/build/dist/app.js"), "utf8"),
    "console.log('hello from build');\n",
  );
  const dotenv = readFileSync(join(dir, job.dotenv), "utf8");
  assert.match(dotenv, /^PIPELINE_ARTIFACTS_JOB_ID=1001$/m);
  assert.match(dotenv, /^PIPELINE_ARTIFACTS_FILE_COUNT=7$/m);
  const manifest = JSON.parse(readFileSync(join(dir, "pipeline-artifacts.json"), "utf8")) as {
    jobs: { name: string }[];
  };
  assert.deepEqual(
    manifest.jobs.map((j) => j.name),
    ["build", "test 1/2", "test 2/2"],
  );
});

test("a bad component input fails the job with the input named, before any request", async (t) => {
  const sim = await simulate(t);
  const job = jobOf({ job: "build", wait_timeout: "soon" });
  const run = exec(process.execPath, [DIST, ...(job.script[0] ?? "").split(" ").slice(1)], {
    cwd: await tempDir(t),
    env: { PATH: process.env.PATH ?? "", ...ciEnv(sim), ...job.variables },
  });
  await assert.rejects(run, (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /input "wait-timeout": "soon" is not a duration/);
    return true;
  });
  assert.equal(sim.log.entries.length, 0);
});
