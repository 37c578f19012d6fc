/** The CLI in a GitLab job: collapsible sections, colour rules, the dotenv report and the manifest file. */
/* eslint-disable no-control-regex -- GitLab log sections and colours are escape sequences */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { DIST } from "../../scripts/build.ts";
import { ciEnv, tempDir } from "../support/run.ts";
import { JOB_TOKEN, simulate } from "../support/sim.ts";

const exec = promisify(execFile);

async function inJob(args: string[], env: Record<string, string>, cwd: string) {
  return exec(process.execPath, [DIST, ...args], {
    env: { PATH: process.env.PATH ?? "", GITLAB_CI: "true", ...env },
    cwd,
  });
}

test("in a GitLab job: sections, a dotenv report of scalars and a manifest of everything", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const r = await inJob(
    [
      "download",
      "--job",
      "build, test",
      "--path",
      "out",
      "--dotenv",
      "fetch.env",
      "--manifest",
      "manifest.json",
    ],
    ciEnv(sim),
    dir,
  );
  assert.match(
    r.stderr,
    /\u001b\[0Ksection_start:\d+:pipeline_artifacts_1\[collapsed=true\]\r\u001b\[0K.*Finding build, test in pipeline 500/,
  );
  assert.match(r.stderr, /\u001b\[0Ksection_end:\d+:pipeline_artifacts_1\r\u001b\[0K/);
  const env = Object.fromEntries(
    readFileSync(join(dir, "fetch.env"), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => l.split(/=(.*)/s, 2) as [string, string]),
  );
  assert.deepEqual(Object.keys(env), [
    "PIPELINE_ARTIFACTS_JOB_ID",
    "PIPELINE_ARTIFACTS_WEB_URL",
    "PIPELINE_ARTIFACTS_ARCHIVE_URL",
    "PIPELINE_ARTIFACTS_PIPELINE_ID",
    "PIPELINE_ARTIFACTS_DOWNLOAD_PATH",
    "PIPELINE_ARTIFACTS_FILE_COUNT",
    "PIPELINE_ARTIFACTS_BYTES",
    "PIPELINE_ARTIFACTS_FOUND",
    "PIPELINE_ARTIFACTS_MANIFEST",
  ]);
  assert.equal(env.PIPELINE_ARTIFACTS_JOB_ID, "1001");
  assert.equal(env.PIPELINE_ARTIFACTS_WEB_URL, `${sim.url}/demo/app/-/jobs/1001`);
  assert.equal(env.PIPELINE_ARTIFACTS_ARCHIVE_URL, `${sim.apiUrl}/projects/42/jobs/1001/artifacts`);
  assert.equal(env.PIPELINE_ARTIFACTS_FILE_COUNT, "7");
  assert.equal(env.PIPELINE_ARTIFACTS_FOUND, "true");
  // No SHA256 key: several jobs have a hash each, in the manifest.
  // The manifest is an artifact of this job: relative to its folder, a later job finds it in its own.
  assert.equal(env.PIPELINE_ARTIFACTS_MANIFEST, "manifest.json");
  assert.equal(
    env.PIPELINE_ARTIFACTS_DOWNLOAD_PATH,
    join(dir, "out"),
    "absolute, as in every face",
  );
  for (const value of Object.values(env)) assert.match(value, /^[^\s"']*$/);
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
    jobs: { id: number }[];
  };
  assert.deepEqual(
    manifest.jobs.map((j) => j.id),
    [1001, 1002, 1003],
  );
  for (const file of ["fetch.env", "manifest.json"])
    assert.ok(!readFileSync(join(dir, file), "utf8").includes(JOB_TOKEN));
});

test("with artifact-path the dotenv report has the file's URL, and the manifest each job's", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  await inJob(
    [
      "download",
      "--job",
      "build",
      "--artifact-path",
      "dist/app.js",
      "--dotenv",
      "fetch.env",
      "--manifest",
      "manifest.json",
    ],
    ciEnv(sim),
    dir,
  );
  const url = `${sim.apiUrl}/projects/42/jobs/1001/artifacts/dist/app.js`;
  assert.match(
    readFileSync(join(dir, "fetch.env"), "utf8"),
    new RegExp(`^PIPELINE_ARTIFACTS_FILE_URL=${url}$`, "m"),
  );
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
    jobs: { file_url: string; archive_url: string; web_url: string }[];
  };
  assert.deepEqual(
    manifest.jobs.map((j) => [j.file_url, j.archive_url, j.web_url]),
    [[url, `${sim.apiUrl}/projects/42/jobs/1001/artifacts`, `${sim.url}/demo/app/-/jobs/1001`]],
  );
});

test("a value GitLab's dotenv cannot hold is left out with a warning; NO_COLOR turns colour off", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const r = await inJob(
    [
      "download",
      "--job",
      "nothing-here",
      "--if-no-artifact-found",
      "warn",
      "--path",
      "with space",
      "--dotenv",
      "a.env",
      "--dotenv-prefix",
      "FETCH_",
    ],
    { ...ciEnv(sim), NO_COLOR: "1" },
    dir,
  );
  assert.match(r.stderr, /^warning: FETCH_DOWNLOAD_PATH left out of the dotenv report/m);
  assert.doesNotMatch(r.stderr, /\u001b\[33m/);
  const text = readFileSync(join(dir, "a.env"), "utf8");
  assert.match(text, /^FETCH_FOUND=false$/m);
  assert.doesNotMatch(text, /DOWNLOAD_PATH/);
});

test("colour in GitLab's job log when NO_COLOR is unset", async (t) => {
  const sim = await simulate(t);
  const r = await inJob(
    ["download", "--job", "nothing-here", "--if-no-artifact-found", "warn"],
    ciEnv(sim),
    await tempDir(t),
  );
  assert.match(r.stderr, /\u001b\[33mwarning:\u001b\[0m no artifacts for/);
});
