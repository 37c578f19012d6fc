/** The core over real HTTP against the simulator: resolve by name, download, extract, report. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import type { Simulator } from "../simulator/index.ts";
import type { JobSpec, ScenarioSpec } from "../simulator/scenario.ts";
import {
  assertSampleBuild,
  ciEnv,
  downloaded,
  fetchArtifacts,
  filesBelow,
  projectEnv,
  tempDir,
} from "../support/run.ts";
import { MAINTAINER, simulate } from "../support/sim.ts";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const text = (name: string, body: string) => ({
  type: "file" as const,
  name,
  content: { text: body },
});

describe("download by job name", () => {
  test("a sibling's artifacts land in path, modes and symlinks kept, outputs filled", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    const { result } = await fetchArtifacts(sim, { job: "build", path: dest });
    await assertSampleBuild(dest);
    const [job] = downloaded(result);
    assert.equal(job?.id, 1001);
    assert.equal(job?.sha256, sim.archiveOf(1001)?.sha256);
    assert.equal(job?.bytes, sim.archiveOf(1001)?.size);
    assert.equal(result.found, true);
    assert.equal(result.pipelineId, 500);
    assert.deepEqual(sim.log.leaks, []);
  });

  test("extract: false keeps the archive as artifacts.zip, byte for byte", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    await fetchArtifacts(sim, { job: "build", path: dest, extract: "false" });
    assert.deepEqual(await filesBelow(dest), ["artifacts.zip"]);
    assert.equal(sha256(await readFile(join(dest, "artifacts.zip"))), sim.archiveOf(1001)?.sha256);
  });

  test("extract: false with several jobs writes <path>/<job name>.zip, as documented", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    const { result } = await fetchArtifacts(sim, { job: "test", path: dest, extract: "false" });
    assert.deepEqual(await filesBelow(dest), ["test 1_2.zip", "test 2_2.zip"]);
    assert.deepEqual(
      downloaded(result).map((j) => [j.path, j.files, j.sha256]),
      [
        [dest, ["test 1_2.zip"], sim.archiveOf(1002)?.sha256],
        [dest, ["test 2_2.zip"], sim.archiveOf(1003)?.sha256],
      ],
    );
  });

  test("parallel and matrix jobs match by base name; several jobs go to path/<job name>", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    const { result } = await fetchArtifacts(sim, { job: "test\npackage", path: dest });
    assert.deepEqual(
      result.jobs.map((j) => j.name),
      ["test 1/2", "test 2/2", "package: [linux, amd64]", "package: [darwin, arm64]"],
    );
    assert.deepEqual(await filesBelow(dest), [
      "package_ [darwin, arm64]/pkg/app-darwin-arm64.tar",
      "package_ [linux, amd64]/pkg/app-linux-amd64.tar",
      "test 1_2/reports/junit-1.xml",
      "test 2_2/reports/junit-2.xml",
    ]);
    // Each job's files are relative to its own folder, which holds them.
    const [first] = downloaded(result);
    assert.equal(first?.path, join(dest, "test 1_2"));
    assert.deepEqual(first?.files, ["reports/junit-1.xml"]);
    for (const job of downloaded(result))
      for (const file of job.files) assert.ok(existsSync(join(job.path, file)), file);
  });

  test("globs, regexes and exact matrix names", async (t) => {
    const sim = await simulate(t);
    const names = async (job: string) =>
      (
        await fetchArtifacts(sim, { job, path: await tempDir(t), extract: "false" })
      ).result.jobs.map((j) => j.name);
    assert.deepEqual(await names("test*"), ["test 1/2", "test 2/2"]);
    assert.deepEqual(await names("/^package: \\[darwin/"), ["package: [darwin, arm64]"]);
    assert.deepEqual(await names("package: [linux, amd64], lint"), [
      "package: [linux, amd64]",
      "lint",
    ]);
  });

  test("the newest attempt of a retried job is taken", async (t) => {
    const sim = await simulate(t);
    const { result } = await fetchArtifacts(sim, { job: "lint", path: await tempDir(t) });
    assert.deepEqual(
      result.jobs.map((j) => j.id),
      [1010],
    );
  });

  test("a job of a child pipeline is found through its trigger job, parent first", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    const { result } = await fetchArtifacts(sim, { job: "child-build", path: dest });
    assert.equal(result.jobs[0]?.pipelineId, 501);
    assert.equal(
      await readFile(join(dest, "child/out.txt"), "utf8"),
      "made in the child pipeline\n",
    );
    const off = await fetchArtifacts(sim, {
      job: "child-build",
      path: await tempDir(t),
      "child-pipelines": "false",
      "if-no-artifact-found": "ignore",
    });
    assert.equal(off.result.found, false);
  });

  test("merge puts several jobs together and reports files they share", async (t) => {
    const spec: ScenarioSpec = {
      projects: [
        {
          id: 7,
          path: "g/app",
          pipelines: [
            {
              id: 5,
              jobs: [
                {
                  id: 1,
                  name: "a",
                  artifacts: { files: [text("same.txt", "a"), text("a.txt", "a")] },
                },
                {
                  id: 2,
                  name: "b",
                  artifacts: { files: [text("same.txt", "b"), text("b.txt", "b")] },
                },
              ],
            },
          ],
        },
      ],
      tokens: [{ token: MAINTAINER, type: "personal" }],
    };
    const sim = await simulate(t, spec);
    const dest = await tempDir(t);
    const env = projectEnv(sim);
    const { result } = await fetchArtifacts(sim, { job: "a, b", path: dest, merge: "true" }, env);
    assert.deepEqual(await filesBelow(dest), ["a.txt", "b.txt", "same.txt"]);
    assert.equal(await readFile(join(dest, "same.txt"), "utf8"), "b");
    assert.deepEqual(result.conflicts, ["same.txt"]);
  });
});

test("a long download reports progress at a calm rate: bytes, percent, rate", async (t) => {
  const sim = await simulate(t);
  // About 1 MiB at 4 MiB/s: some 250 ms, in 64 chunks of 16 KiB.
  sim.inject({ route: "archive", kind: "throughput", bytesPerSecond: 4 * 1024 * 1024 });
  const { log } = await fetchArtifacts(
    sim,
    { job: "build", path: await tempDir(t) },
    ciEnv(sim),
    {},
    60,
  );
  const progress = log.lines.filter((l) => l.startsWith("build: ") && l.includes(" at "));
  assert.ok(progress.length >= 1 && progress.length <= 8, progress.join("\n"));
  for (const line of progress)
    assert.match(line, /^build: [\d.]+ (KiB|MiB) of 1\.0 MiB \(\d+%\) at [\d.]+ (KiB|MiB)\/s$/);
});

describe("every storage mode", () => {
  for (const [job, id] of [
    ["package: [linux, amd64]", 1004],
    ["package: [darwin, arm64]", 1005],
    ["build", 1001],
  ] as const)
    test(`job ${id}: same bytes, and no GitLab credential reaches object storage`, async (t) => {
      const sim = await simulate(t);
      for (const env of [ciEnv(sim), { ...ciEnv(sim), GITLAB_TOKEN: MAINTAINER }]) {
        const { result } = await fetchArtifacts(sim, { job, path: await tempDir(t) }, env);
        assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(id)?.sha256);
      }
      assert.deepEqual(sim.log.leaks, []);
      if (id === 1004) assert.ok(sim.log.find({ origin: "storage", status: 200 }).length >= 2);
    });
});

describe("listing at scale", () => {
  const big = (count: number): ScenarioSpec => ({
    projects: [
      {
        id: 7,
        path: "g/app",
        pipelines: [
          {
            id: 5,
            jobs: [
              { id: 1, name: "oldest", artifacts: { files: [text("o.txt", "o")] } },
              ...Array.from({ length: count - 1 }, (_, i): JobSpec => ({
                id: i + 2,
                name: `job ${i + 2}`,
              })),
            ],
          },
        ],
      },
    ],
    tokens: [{ token: MAINTAINER, type: "personal" }],
  });
  /** Downloads the job named "oldest" (the last row of the list): every page must be read. */
  const fetchOldest = async (t: TestContext, sim: Simulator) => {
    const { result } = await fetchArtifacts(
      sim,
      { job: "oldest", path: await tempDir(t), "child-pipelines": "false" },
      projectEnv(sim),
    );
    assert.equal(result.jobs[0]?.id, 1);
  };

  test("12,000 jobs: no totals, so pages are fetched ahead until one comes back short", async (t) => {
    const sim = await simulate(t, big(12_000));
    await fetchOldest(t, sim);
    const pages = sim.log.find({ route: "pipeline-jobs" });
    const numbers = pages.map((p) => Number(p.query.page)).sort((a, b) => a - b);
    // Every page once; past the last (120) only pages asked for before the end came back (the
    // other 15 readers' at most), all empty.
    assert.deepEqual(
      numbers.slice(0, 120),
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    assert.equal(new Set(numbers).size, numbers.length, "no page twice");
    const past = pages.filter((p) => Number(p.query.page) > 120);
    assert.ok(past.length < 16, `${past.length} pages past the end`);
    assert.ok(
      past.every((p) => p.bytes === 2),
      "pages past the end are empty",
    );
  });

  test(
    "without totals a page held up does not hold back the pages after it",
    { timeout: 30_000 },
    async (t) => {
      const sim = await simulate(t, big(12_000));
      // Page 2 is answered only once page 30 has been asked for: in batches of 16 (pages 2-17,
      // then 18-33) page 30 would wait for page 2, and the run would never end.
      sim.inject({
        route: "pipeline-jobs",
        query: { page: /^(2|30)$/ },
        kind: "barrier",
        count: 2,
      });
      await fetchOldest(t, sim);
      const pages = sim.log.find({ route: "pipeline-jobs" }).map((p) => Number(p.query.page));
      // Logged as answered: pages past the first 16 (18 to 29) before page 2.
      assert.ok(
        pages.slice(0, pages.indexOf(2)).filter((n) => n >= 18 && n < 30).length === 12,
        `pages answered in order ${pages.join(",")}`,
      );
    },
  );

  test("never more than 16 pages in flight, with totals and without", async (t) => {
    for (const count of [3_000, 12_000]) {
      const sim = await simulate(t, big(count));
      // Latency keeps each page open long enough for the next ones to come in beside it.
      sim.inject({ route: "pipeline-jobs", kind: "latency", ms: 20 });
      await fetchOldest(t, sim);
      const most = Math.max(...sim.log.find({ route: "pipeline-jobs" }).map((p) => p.concurrent));
      assert.ok(most > 1 && most <= 16, `${count} jobs: ${most} pages in flight at most`);
    }
  });

  test("with totals the remaining pages are fetched concurrently, each once", async (t) => {
    const sim = await simulate(t, big(950));
    await fetchOldest(t, sim);
    const pages = sim.log.find({ route: "pipeline-jobs" }).map((p) => Number(p.query.page));
    assert.deepEqual(
      pages.sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.ok(sim.log.find({ route: "pipeline-jobs" }).every((p) => p.query.per_page === "100"));
  });
});

test("by job id: no lookup; the web URL only when the project is given by path", async (t) => {
  const sim = await simulate(t);
  const byId = await fetchArtifacts(sim, { "job-id": "1001", path: await tempDir(t) });
  assert.equal(downloaded(byId.result)[0]?.sha256, sim.archiveOf(1001)?.sha256);
  assert.equal(byId.result.jobs[0]?.webUrl, "", "a numeric project id gives no path for a web URL");
  assert.equal(sim.log.find({ route: "pipeline-jobs" }).length, 0);
  const byPath = await fetchArtifacts(
    sim,
    { "job-id": "1001", path: await tempDir(t) },
    { ...ciEnv(sim), CI_PROJECT_ID: "demo/app" },
  );
  assert.equal(byPath.result.jobs[0]?.webUrl, `${sim.url}/demo/app/-/jobs/1001`);
});
