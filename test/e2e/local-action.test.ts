/**
 * A GitHub Actions emulator no one here wrote, @github/local-action, runs the action's TypeScript
 * source against the simulator: inputs from a .env file (INPUT_JOB, INPUT_GITLAB-URL, ...), its
 * own stand-in for @actions/core (getInput with action.yml's defaults, setOutput, setSecret,
 * summary), and the outputs it records.
 *
 * local-action imports the entry it is given and calls the `run()` it exports: the action's face,
 * src/faces/github.ts (src/index.ts, the bundle's entry, starts on import and exports nothing).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { tempDir } from "../support/run.ts";
import { JOB_TOKEN, simulate } from "../support/sim.ts";

const exec = promisify(execFile);

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PACKAGE = join(dirname(fileURLToPath(import.meta.resolve("@github/local-action"))), "..");
const LOCAL_ACTION = join(PACKAGE, "bin/local-action.js");
const VERSION = (
  JSON.parse(await readFile(join(PACKAGE, "package.json"), "utf8")) as { version: string }
).version;
const ENTRY = "src/faces/github.ts";
const BUILD = 1001;

/**
 * The "Action Outputs" table local-action prints from what its @actions/core stand-in recorded
 * (`│ 0 │ 'job-id' │ '1001' │`): proof the stand-in, not the real @actions/core, was used.
 */
function outputsTable(stdout: string): Record<string, string> {
  const section = stdout.split(/^ +Action Outputs$/m)[1];
  assert.ok(section, "local-action printed no Action Outputs section");
  const out: Record<string, string> = {};
  for (const m of section.matchAll(/^│ \d+ +│ '([\w-]+)' +│ (['"`])(.*)\2 +│$/gm))
    out[m[1] as string] = m[3] as string;
  return out;
}

async function localAction(t: TestContext, entry: string) {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const env = join(dir, ".env");
  const summary = join(dir, "summary.md");
  await writeFile(summary, "");
  // Keys as a runner writes them: INPUT_ and the input's name upper-cased, dashes kept.
  const inputs = {
    JOB: "build",
    "GITLAB-URL": sim.apiUrl,
    PROJECT: "42",
    "PIPELINE-ID": "500",
    TOKEN: JOB_TOKEN,
    PATH: join(dir, "out"),
  };
  await writeFile(
    env,
    [
      ...Object.entries(inputs).map(([k, v]) => `INPUT_${k}=${v}`),
      `GITHUB_STEP_SUMMARY=${summary}`,
      "",
    ].join("\n"),
  );
  // The caller's environment without anything a runner or the test runner set.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|NODE_TEST_CONTEXT$|NODE_OPTIONS$)/.test(k),
    ),
  );
  // local-action runs `npm exec tsx` and `npm ls @actions/core` in its working directory: the
  // project root, whose node_modules holds both.
  const run = await exec(process.execPath, [LOCAL_ACTION, "run", ROOT, entry, env], {
    cwd: ROOT,
    env: { ...base, FORCE_COLOR: "0", NO_COLOR: "1" },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((e: { code: number; stdout: string; stderr: string }) => ({ ...e, failed: true }));
  return { sim, dir, run, summary: await readFile(summary, "utf8") };
}

test(`@github/local-action ${VERSION} runs the action's source and records every output`, async (t) => {
  const { sim, dir, run, summary } = await localAction(t, ENTRY);
  assert.ok(!("failed" in run), `${run.stdout}\n${run.stderr}`);
  const archive = sim.archiveOf(BUILD);
  assert.ok(archive);
  const o = outputsTable(run.stdout);
  assert.equal(o["job-id"], String(BUILD));
  assert.deepEqual(JSON.parse(o["job-ids"] ?? ""), [BUILD]);
  assert.deepEqual(JSON.parse(o["job-urls"] ?? ""), [`${sim.url}/demo/app/-/jobs/${BUILD}`]);
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
  assert.equal(o.bytes, String(archive.size));
  assert.equal(o.sha256, archive.sha256);
  assert.equal(o.found, "true");
  const manifest = JSON.parse(o.artifacts ?? "") as { id: number; name: string; sha256: string }[];
  assert.deepEqual(
    manifest.map((m) => [m.id, m.name, m.sha256]),
    [[BUILD, "build", archive.sha256]],
  );
  assert.equal(o["archive-url"], `${sim.apiUrl}/projects/42/jobs/${BUILD}/artifacts`);
  assert.equal(o["web-url"], `${sim.url}/demo/app/-/jobs/${BUILD}`);
  // Every output action.yml declares that has a value was set (file-url needs artifact-path),
  // and nothing else.
  assert.deepEqual(Object.keys(o).sort(), [
    "archive-url",
    "archive-urls",
    "artifacts",
    "bytes",
    "cache-hit",
    "download-path",
    "file-count",
    "files",
    "found",
    "job-id",
    "job-ids",
    "job-urls",
    "pipeline-id",
    "sha256",
    "web-url",
  ]);
  assert.equal(
    await readFile(join(dir, "out/dist/app.js"), "utf8"),
    "console.log('hello from build');\n",
  );
  assert.match(summary, /build<\/a> \(1001\)/);
  // The job token went to GitLab as JOB-TOKEN, and nowhere else.
  const archives = sim.log.find({ route: "archive" });
  assert.ok(archives.length > 0 && archives.every((e) => "job-token" in e.headers));
  assert.deepEqual(sim.log.leaks, []);
  assert.ok(!run.stdout.includes(JOB_TOKEN) && !run.stderr.includes(JOB_TOKEN));
});
