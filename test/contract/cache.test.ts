/**
 * The cache through the bundle's faces, the CLI (`--cache DIR`, `--json`) and the action
 * (`cache: true` with RUNNER_TOOL_CACHE, GITHUB_OUTPUT), over real HTTP to the simulator: a hit
 * downloads nothing, runs at once all end with exact files and one whole entry, and an altered
 * entry is ignored and replaced.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { entryOf } from "../../src/transfer/cache.ts";
import type { Simulator } from "../simulator/index.ts";
import { runAction, runCli } from "../support/faces.ts";
import { assertSampleBuild, ciEnv, tempDir } from "../support/run.ts";
import { archiveRequests, JOB_TOKEN, simulate } from "../support/sim.ts";

/** What a face reports of one run of `build`, and where its files went. */
interface Ran {
  dest: string;
  cacheHit: boolean;
  /** The manifest's cache_hit and sha256 of the job. */
  job: { cache_hit: boolean; sha256: string };
}

/** A face: fetch `build` into a new folder, with the cache at `root`. */
type Face = (t: TestContext, sim: Simulator, root: string) => Promise<Ran>;

const cli: Face = async (t, sim, root) => {
  const dir = await tempDir(t);
  const r = await runCli(
    ["download", "--job", "build", "--path", "out", "--cache", root, "--json"],
    ciEnv(sim),
    dir,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes("::"), "no workflow commands outside GitHub");
  const result = JSON.parse(r.stdout) as { jobs: Ran["job"][] };
  const [job] = result.jobs;
  assert.ok(job);
  return { dest: join(dir, "out"), cacheHit: job.cache_hit, job };
};

const action: Face = async (t, sim, root) => {
  const dir = await tempDir(t);
  const inputs = {
    job: "build",
    path: "out",
    cache: "true",
    "gitlab-url": sim.apiUrl,
    project: "42",
    "pipeline-id": "500",
    token: JOB_TOKEN,
  };
  const run = await runAction(inputs, dir, { RUNNER_TOOL_CACHE: root });
  assert.ok(!("failed" in run), run.stderr);
  const [job] = JSON.parse(run.outputs.artifacts ?? "[]") as Ran["job"][];
  assert.ok(job);
  assert.ok(run.outputs["cache-hit"] === "true" || run.outputs["cache-hit"] === "false");
  return { dest: join(dir, "out"), cacheHit: run.outputs["cache-hit"] === "true", job };
};

for (const [name, face] of [
  ["CLI", cli],
  ["action", action],
] as const)
  describe(`cache through the ${name}`, () => {
    test("the second run is a hit: cache-hit true, no archive request, the same files", async (t) => {
      const sim = await simulate(t);
      const root = await tempDir(t);
      const first = await face(t, sim, root);
      assert.deepEqual([first.cacheHit, first.job.cache_hit], [false, false]);
      sim.log.clear();
      const second = await face(t, sim, root);
      assert.deepEqual([second.cacheHit, second.job.cache_hit], [true, true]);
      assert.equal(second.job.sha256, sim.archiveOf(1001)?.sha256);
      assert.deepEqual(archiveRequests(sim), []);
      await assertSampleBuild(second.dest);
    });

    test("two runs at once both miss and write: exact files each, one whole entry", async (t) => {
      const sim = await simulate(t);
      const root = await tempDir(t);
      sim.inject({ route: "archive", kind: "barrier", count: 2 });
      const runs = await Promise.all([face(t, sim, root), face(t, sim, root)]);
      for (const r of runs) {
        assert.equal(r.cacheHit, false);
        await assertSampleBuild(r.dest);
      }
      sim.log.clear();
      const after = await face(t, sim, root);
      assert.equal(after.cacheHit, true);
      assert.deepEqual(archiveRequests(sim), []);
      await assertSampleBuild(after.dest);
    });

    test("an altered entry (marker present) is ignored and replaced", async (t) => {
      const sim = await simulate(t);
      const root = await tempDir(t);
      await face(t, sim, root);
      const at = entryOf(root, { host: new URL(sim.apiUrl).host, project: "42", jobId: 1001 });
      await writeFile(join(at.dir, "files/dist/app.js"), "altered\n");
      sim.log.clear();
      const again = await face(t, sim, root);
      assert.equal(again.cacheHit, false);
      assert.equal(archiveRequests(sim).length, 1);
      await assertSampleBuild(again.dest);
      const third = await face(t, sim, root);
      assert.equal(third.cacheHit, true);
      await assertSampleBuild(third.dest);
    });
  });

test("the action refuses cache: true without RUNNER_TOOL_CACHE, exit 2, before any request", async (t) => {
  const sim = await simulate(t);
  const dir = await tempDir(t);
  const run = await runAction(
    {
      job: "build",
      cache: "true",
      "gitlab-url": sim.apiUrl,
      project: "42",
      "pipeline-id": "500",
      token: JOB_TOKEN,
    },
    dir,
  );
  assert.equal((run as { code?: number }).code, 2);
  assert.match(run.stdout, /^::error::input "cache": "true" caches in the runner's tool cache/m);
  assert.equal(sim.log.entries.length, 0);
});
