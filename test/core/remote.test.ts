/** paths: files read out of archives where they lie, through HTTP ranges. */
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { JobSpec, ScenarioSpec } from "../simulator/scenario.ts";
import { fetchArtifacts, projectEnv, tempDir } from "../support/run.ts";
import { MAINTAINER, simulate } from "../support/sim.ts";

const MiB = 1024 * 1024;

/** A 24 MiB archive: three 8 MiB binaries, a folder of small reports, a script; in each storage mode. */
function scenario(): ScenarioSpec {
  const job = (id: number, storage: "local" | "object" | "proxy"): JobSpec => ({
    id,
    name: `build-${storage}`,
    artifacts: {
      storage,
      files: [
        ...[0, 1, 2].map((i) => ({
          type: "file" as const,
          name: `bin/big-${i}.bin`,
          method: "store" as const,
          content: { size: 8 * MiB, fill: "random" as const, seed: `big-${i}` },
        })),
        ...[0, 1, 2, 3].map((i) => ({
          type: "file" as const,
          name: `reports/r${i}.txt`,
          content: { text: `report ${i}\n` },
        })),
        { type: "file", name: "run.sh", mode: 0o755, content: { text: "#!/bin/sh\necho hi\n" } },
      ],
    },
  });
  return {
    projects: [
      {
        id: 7,
        path: "g/app",
        pipelines: [{ id: 5, jobs: [job(1, "local"), job(2, "object"), job(3, "proxy")] }],
      },
    ],
    tokens: [{ token: MAINTAINER, type: "personal" }],
  };
}

describe("paths: reading only what is wanted", () => {
  for (const [storage, id] of [
    ["local", 1],
    ["object", 2],
    ["proxy", 3],
  ] as const)
    test(`${storage} storage: a glob and a folder, a fraction of the archive transferred`, async (t) => {
      const sim = await simulate(t, scenario());
      const dest = await tempDir(t);
      const { result } = await fetchArtifacts(
        sim,
        { job: `build-${storage}`, paths: "reports/, *.sh", path: dest },
        projectEnv(sim),
      );
      assert.deepEqual((await readdir(dest, { recursive: true })).sort(), [
        "reports",
        "reports/r0.txt",
        "reports/r1.txt",
        "reports/r2.txt",
        "reports/r3.txt",
        "run.sh",
      ]);
      assert.equal(await readFile(join(dest, "reports/r2.txt"), "utf8"), "report 2\n");
      assert.equal((await stat(join(dest, "run.sh"))).mode & 0o777, 0o755);
      const origin = storage === "object" ? "storage" : "gitlab";
      const served = sim.log.entries.filter(
        (e) => e.origin === origin && (e.route === "archive" || e.route === "object"),
      );
      const total = served.reduce((n, e) => n + e.bytes, 0);
      assert.ok(total < 200 * 1024, `${total} bytes of a ${sim.archiveOf(id)?.size}-byte archive`);
      assert.equal(result.jobs[0]?.bytes, total);
      assert.ok(served.every((e) => e.range !== undefined && e.status === 206));
      assert.ok(
        served.slice(1).every((e) => e.headers["if-range"] !== undefined),
        "later ranges are If-Range guarded",
      );
    });

  test("one big file: its bytes plus a little, the log showing the ranges fetched", async (t) => {
    const sim = await simulate(t, scenario());
    const dest = await tempDir(t);
    await fetchArtifacts(
      sim,
      { job: "build-local", paths: "bin/big-1.bin", path: dest },
      projectEnv(sim),
    );
    assert.equal((await stat(join(dest, "bin/big-1.bin"))).size, 8 * MiB);
    const ranges = sim.log.find({ route: "archive" });
    const total = ranges.reduce((n, e) => n + e.bytes, 0);
    assert.ok(
      total <= 8 * MiB + 128 * 1024,
      `${total} bytes moved: ${ranges.map((r) => `${r.range} ${r.bytes}`).join(", ")}`,
    );
    assert.match(ranges[0]?.range ?? "", /^bytes=-65577$/);
    assert.ok(ranges.length <= 5, ranges.map((r) => r.range).join(" "));
  });

  test("a server that ignores Range: the whole archive is downloaded instead, said once", async (t) => {
    const sim = await simulate(t, scenario());
    sim.inject({ route: "archive", kind: "ignore-range" });
    const dest = await tempDir(t);
    const { log } = await fetchArtifacts(
      sim,
      { job: "build-local", paths: "run.sh", path: dest },
      projectEnv(sim),
    );
    assert.deepEqual(await readdir(dest), ["run.sh"]);
    assert.equal(
      log.lines.filter((l) => l.includes("downloading whole archives instead")).length,
      1,
    );
  });

  test("nothing matching is reported; if-no-artifact-found decides", async (t) => {
    const sim = await simulate(t, scenario());
    const dest = await tempDir(t);
    await assert.rejects(
      fetchArtifacts(sim, { job: "build-local", paths: "docs/", path: dest }, projectEnv(sim)),
      /no file matches docs\/ in its artifacts/,
    );
    assert.deepEqual(await readdir(dest), []);
  });

  test("an archive that changes between ranges is noticed", async (t) => {
    const sim = await simulate(t, scenario());
    // The second request onwards: a 200 to the If-Range, as GitLab answers when the archive changed.
    sim.inject({ route: "archive", kind: "ignore-range", skip: 1 });
    await assert.rejects(
      fetchArtifacts(
        sim,
        { job: "build-local", paths: "bin/big-0.bin", path: await tempDir(t) },
        projectEnv(sim),
      ),
      /changed while it was being read/,
    );
  });
});
