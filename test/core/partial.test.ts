/** One file out of an archive (artifact-path), and GitLab's lookup by branch or tag (ref). */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ScenarioSpec } from "../simulator/scenario.ts";
import { ciEnv, fetchArtifacts, projectEnv, tempDir, downloaded } from "../support/run.ts";
import { MAINTAINER, simulate } from "../support/sim.ts";

describe("artifact-path: one file through GitLab's single-file endpoint", () => {
  test("only that file is fetched, to the same relative path, hashed", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    const { result } = await fetchArtifacts(sim, {
      job: "build",
      "artifact-path": "dist/app.js",
      path: dest,
    });
    assert.equal(
      await readFile(join(dest, "dist/app.js"), "utf8"),
      "console.log('hello from build');\n",
    );
    assert.deepEqual(await readdir(dest, { recursive: true }), ["dist", "dist/app.js"]);
    assert.deepEqual(downloaded(result)[0]?.files, ["dist/app.js"]);
    assert.equal(result.jobs[0]?.bytes, 33);
    // sha256 names the archive's hash; the archive did not travel, so there is none.
    assert.equal("sha256" in (result.jobs[0] ?? {}), false);
    assert.deepEqual(
      sim.log.find({ route: "artifact-file" }).map((r) => r.path),
      ["/api/v4/projects/42/jobs/1001/artifacts/dist/app.js"],
    );
    assert.equal(sim.log.find({ route: "archive" }).length, 0);
  });

  test("several jobs each give their copy, under path/<job name>", async (t) => {
    const spec: ScenarioSpec = {
      projects: [
        {
          id: 7,
          path: "g/app",
          pipelines: [
            {
              id: 5,
              jobs: [1, 2].map((n) => ({
                id: n,
                name: `test ${n}/2`,
                artifacts: {
                  files: [
                    { type: "file" as const, name: "report #1.xml", content: { text: `r${n}` } },
                  ],
                },
              })),
            },
          ],
        },
      ],
      tokens: [{ token: MAINTAINER, type: "personal" }],
    };
    const sim = await simulate(t, spec);
    const dest = await tempDir(t);
    const env = projectEnv(sim);
    const { result } = await fetchArtifacts(
      sim,
      { job: "test", "artifact-path": "report #1.xml", path: dest },
      env,
    );
    assert.deepEqual(
      downloaded(result).map((j) => j.files),
      [["report #1.xml"], ["report #1.xml"]],
    );
    assert.equal(await readFile(join(dest, "test 2_2/report #1.xml"), "utf8"), "r2");
    // The name is percent-encoded segment by segment.
    assert.ok(
      sim.log
        .find({ route: "artifact-file" })
        .every((r) => r.path.endsWith("/artifacts/report%20%231.xml")),
    );
  });

  test("a file not in the archive says so, and if-no-artifact-found decides", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", "artifact-path": "dist/App.js", path: dest }),
      /build \(job 1001\): no file "dist\/App.js" in its artifacts\n {2}hint: names in an archive are exact and case-sensitive, with forward slashes; close names in it: dist\/app.js$/,
    );
    assert.deepEqual(await readdir(dest), []);
    const warned = await fetchArtifacts(sim, {
      job: "build",
      "artifact-path": "nope.txt",
      path: dest,
      "if-no-artifact-found": "warn",
    });
    assert.equal(warned.result.found, false);
    assert.ok(
      warned.log.lines.includes(
        'warning: no artifacts for build (job 1001): no file "nope.txt" in its artifacts',
      ),
    );
  });

  test("unsafe or odd paths are refused before any request", async (t) => {
    const sim = await simulate(t);
    for (const path of ["/etc/passwd", "a/../b", "./a", "a//b"])
      await assert.rejects(
        fetchArtifacts(sim, { job: "build", "artifact-path": path }),
        /input "artifact-path": .* is not a path inside an archive/,
      );
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", "artifact-path": "dist/" }),
      /input "artifact-path": "dist\/" names a folder; use paths for folders/,
    );
    assert.equal(sim.log.entries.length, 0);
  });
});

describe("ref: the newest successful pipeline of a branch or tag", () => {
  test("the archive of the ref's job, not the running pipeline's, and the result says so", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    const { result } = await fetchArtifacts(
      sim,
      { job: "build", ref: "main", path: dest },
      { ...ciEnv(sim), CI_PIPELINE_ID: "" },
    );
    // Pipeline 500 (running) has a build too; GitLab serves pipeline 400's.
    assert.equal(await readFile(join(dest, "dist/app.js"), "utf8"), "console.log('yesterday');\n");
    assert.equal(result.ref, "main");
    assert.equal(result.jobs[0]?.id, undefined);
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(901)?.sha256);
    assert.deepEqual(
      sim.log.find({ route: "ref-archive" }).map((r) => [r.path, r.query.job]),
      [["/api/v4/projects/42/jobs/artifacts/main/download", "build"]],
    );
  });

  test("with artifact-path it uses the ref's raw endpoint", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    await fetchArtifacts(sim, {
      job: "build",
      ref: "main",
      "artifact-path": "dist/app.js",
      path: dest,
    });
    assert.equal(await readFile(join(dest, "dist/app.js"), "utf8"), "console.log('yesterday');\n");
    assert.equal(sim.log.find({ route: "ref-file" }).length, 1);
  });

  test("a miss is reported in words; a glob or job-id is refused up front", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(sim, { job: "nothing", ref: "main", path: await tempDir(t) }),
      /no job "nothing" with artifacts in the newest successful pipeline of main or its child pipelines \(404 Not found\)/,
    );
    await assert.rejects(
      fetchArtifacts(sim, { job: "build-*", ref: "main" }),
      /input "ref": GitLab looks up exactly one job name by ref/,
    );
    await assert.rejects(
      fetchArtifacts(sim, { "job-id": "1001", ref: "main" }),
      /input "ref": names a job by branch or tag/,
    );
  });
});

test("artifact-path tree is read out of the archive: newest GitLab's artifacts/tree route shadows it", async (t) => {
  const spec: ScenarioSpec = {
    projects: [
      {
        id: 7,
        path: "demo/app",
        pipelines: [
          {
            id: 5,
            jobs: [
              {
                id: 1,
                name: "build",
                artifacts: {
                  files: [
                    { type: "file", name: "tree", content: { text: "a file named tree\n" } },
                    { type: "file", name: "other.txt", content: { text: "other\n" } },
                  ],
                },
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
  const { result } = await fetchArtifacts(
    sim,
    { job: "build", "artifact-path": "tree", path: dest },
    projectEnv(sim),
  );
  assert.equal(await readFile(join(dest, "tree"), "utf8"), "a file named tree\n");
  assert.deepEqual(downloaded(result)[0]?.files, ["tree"]);
  assert.equal(sim.log.find({ route: "artifact-file" }).length, 0, "not the single-file route");
});
