/** The bundled CLI, as a `script:` line in a GitLab job runs it: CI_* variables, flags, exit codes. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { DIST } from "../../scripts/build.ts";
import { runCli as cli } from "../support/faces.ts";
import { ciEnv, tempDir } from "../support/run.ts";
import { JOB_TOKEN, simulate } from "../support/sim.ts";

test("download --job with only the job's CI variables; --json prints the manifest", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const r = await cli(["download", "--job", "build", "--path", "out", "--json"], ciEnv(sim), dir);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    found: boolean;
    jobs: { id: number; sha256: string; files: string[] }[];
  };
  assert.equal(result.found, true);
  assert.equal(result.jobs[0]?.id, 1001);
  assert.equal(result.jobs[0]?.sha256, sim.archiveOf(1001)?.sha256);
  assert.equal(
    readFileSync(join(dir, "out/dist/app.js"), "utf8"),
    "console.log('hello from build');\n",
  );
  assert.ok(!r.stdout.includes(JOB_TOKEN) && !r.stderr.includes(JOB_TOKEN));
  assert.ok(!r.stdout.includes("::"), "no workflow commands outside GitHub");
});

test("a bad flag exits 2 naming it, with no request and nothing written", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const r = await cli(
    ["download", "--job", "build", "--path", "out", "--concurrency", "0"],
    ciEnv(sim),
    dir,
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /input "concurrency": "0" is not a whole number from 1 to 32/);
  assert.equal(sim.log.entries.length, 0);
  assert.equal(existsSync(join(dir, "out")), false);
});

test("a job still running exits 1 and says --wait exists (the CLI spelling)", async (t) => {
  const sim = await simulate(t);
  const r = await cli(["download", "--job", "slow-report"], ciEnv(sim), await tempDir(t));
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /slow-report \(job 1008\) is still running\n {2}hint: use --wait to wait for it/,
  );
});

test("a multi-job manifest: each job's path joined with each of its files names a file that exists", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const r = await cli(["--job", "test, package", "--path", "out", "--json"], ciEnv(sim), dir);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    download_path: string;
    jobs: { path: string; files: string[] }[];
  };
  assert.equal(result.download_path, join(dir, "out"));
  assert.equal(result.jobs.length, 4);
  for (const job of result.jobs) {
    assert.ok(job.files.length > 0);
    for (const file of job.files)
      assert.ok(existsSync(join(job.path, file)), `${job.path} ${file}`);
  }
});

test("--verbose logs every HTTP request and each resolution decision, never a token", async (t) => {
  const sim = await simulate(t);
  const r = await cli(
    ["--job", "package", "--path", "out", "--verbose"],
    ciEnv(sim),
    await tempDir(t),
  );
  assert.equal(r.code, 0, r.stderr);
  const exchanges = r.stderr.split("\n").filter((l) => /^debug: (GET|HEAD|POST) /.test(l));
  // One line per request the tool made, to GitLab and to object storage alike (the simulator's
  // own proxy fetches are not the tool's).
  const made = sim.log.entries.filter((e) =>
    e.headers["user-agent"]?.startsWith("pipeline-artifacts"),
  );
  assert.equal(exchanges.length, made.length, r.stderr);
  assert.ok(made.some((e) => e.origin === "storage"));
  assert.ok(
    exchanges.some((l) => / -> 302 to http:\/\/127\.0\.0\.1:\d+/.test(l)),
    r.stderr,
  );
  assert.ok(
    exchanges.every((l) => / -> \d{3}.*, \d+ ms$/.test(l)),
    r.stderr,
  );
  // Signed object-storage URLs are logged without their query (it holds the signature).
  assert.ok(!exchanges.some((l) => /X-Amz|Signature|expires=/i.test(l)), r.stderr);
  assert.match(r.stderr, /debug: "package" selects package: \[linux, amd64\] \(job 1004/);
  assert.ok(!r.stderr.includes(JOB_TOKEN), "the token must not appear");
});

test("url prints what a shell needs, a line each, for $(...); no download; exit 1 when nothing matches", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const sh = (script: string) =>
    promisify(execFile)("/bin/sh", ["-c", script], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", ...ciEnv(sim), PA: DIST },
    });
  const urls = await sh('URL=$(node "$PA" url --job build); echo "got $URL"');
  assert.equal(urls.stdout, `got ${sim.apiUrl}/projects/42/jobs/1001/artifacts\n`);
  const ids = await sh('node "$PA" url --job test --print id');
  assert.equal(ids.stdout, "1002\n1003\n");
  const file = await cli(
    ["url", "--job", "build", "--artifact-path", "dist/app.js"],
    ciEnv(sim),
    dir,
  );
  assert.equal(file.stdout, `${sim.apiUrl}/projects/42/jobs/1001/artifacts/dist/app.js\n`);
  assert.equal(sim.log.find({ route: "archive" }).length, 0, "nothing is downloaded");
  const none = await cli(["url", "--job", "no-such-job"], ciEnv(sim), dir);
  assert.equal(none.code, 1);
  assert.equal(none.stdout, "");
});

test("download --ref --json: the job GitLab's ref endpoint serves, with its id, pipeline and URLs", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const r = await cli(
    ["download", "--job", "build", "--ref", "main", "--artifact-path", "dist/app.js", "--json"],
    ciEnv(sim),
    dir,
  );
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    ref: string;
    pipeline_id: number;
    jobs: Record<string, unknown>[];
  };
  assert.equal(result.ref, "main");
  assert.equal(result.pipeline_id, 400);
  const [job] = result.jobs;
  assert.deepEqual(
    [job?.id, job?.pipeline, job?.web_url, job?.archive_url, job?.file_url],
    [
      901,
      400,
      `${sim.url}/demo/app/-/jobs/901`,
      `${sim.apiUrl}/projects/42/jobs/901/artifacts`,
      `${sim.apiUrl}/projects/42/jobs/901/artifacts/dist/app.js`,
    ],
  );
  assert.equal(readFileSync(join(dir, "dist/app.js"), "utf8"), "console.log('yesterday');\n");
  const ids = await cli(
    ["url", "--job", "build", "--ref", "main", "--print", "id"],
    ciEnv(sim),
    dir,
  );
  assert.equal(ids.stdout, "901\n");
});
