/** One file out of an archive (artifact-path), and GitLab's lookup by branch or tag (ref). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ScenarioSpec } from "../simulator/scenario.ts";
import { ciEnv, fetchArtifacts, projectEnv, tempDir, downloaded } from "../support/run.ts";
import { ask, MAINTAINER, project, SAMPLE, simulate } from "../support/sim.ts";

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
  test("the job GitLab's ref endpoint would serve, with its id, pipeline and URLs", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    const { result, log } = await fetchArtifacts(
      sim,
      { job: "build", ref: "main", path: dest },
      { ...ciEnv(sim), CI_PIPELINE_ID: "" },
    );
    // Pipeline 500 (running) has a build too; GitLab serves pipeline 400's.
    assert.equal(await readFile(join(dest, "dist/app.js"), "utf8"), "console.log('yesterday');\n");
    assert.equal(result.ref, "main");
    assert.equal(result.pipelineId, 400);
    const [job] = downloaded(result);
    assert.deepEqual(
      [job?.id, job?.pipelineId, job?.status, job?.archiveUrl, job?.webUrl],
      [
        901,
        400,
        "success",
        `${sim.apiUrl}/projects/42/jobs/901/artifacts`,
        `${sim.url}/demo/app/-/jobs/901`,
      ],
    );
    assert.equal(job?.sha256, sim.archiveOf(901)?.sha256);
    assert.ok(
      log.lines.includes(
        "build: job 901 of pipeline 400 (success), from the newest successful pipeline of main, not the running pipeline",
      ),
      log.lines.join("\n"),
    );
    // One page of pipelines, the pipeline's jobs and trigger jobs, then the archive by id.
    assert.equal(sim.log.entries[0]?.route, "pipelines");
    const [listed] = sim.log.find({ route: "pipelines" });
    assert.deepEqual(listed?.query, {
      ref: "main",
      status: "success",
      order_by: "id",
      sort: "desc",
      per_page: "1",
    });
    assert.deepEqual(sim.log.entries.map((e) => `${e.route} ${e.path}`).sort(), [
      "archive /api/v4/projects/42/jobs/901/artifacts",
      "pipeline-bridges /api/v4/projects/42/pipelines/400/bridges",
      "pipeline-jobs /api/v4/projects/42/pipelines/400/jobs",
      "pipelines /api/v4/projects/42/pipelines",
    ]);
  });

  test("with artifact-path: that file of the job, by id", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    const { result } = await fetchArtifacts(sim, {
      job: "build",
      ref: "main",
      "artifact-path": "dist/app.js",
      path: dest,
    });
    assert.equal(await readFile(join(dest, "dist/app.js"), "utf8"), "console.log('yesterday');\n");
    assert.equal(
      result.jobs[0]?.fileUrl,
      `${sim.apiUrl}/projects/42/jobs/901/artifacts/dist/app.js`,
    );
    assert.deepEqual(
      sim.log.find({ route: "artifact-file" }).map((r) => r.path),
      ["/api/v4/projects/42/jobs/901/artifacts/dist/app.js"],
    );
  });

  test("GitLab's choice: newest successful pipeline (not a newer failed or running one), parent first, any artifact counts", async (t) => {
    const archive = (text: string) => ({
      files: [{ type: "file" as const, name: "v.txt", content: { text } }],
    });
    const spec: ScenarioSpec = {
      projects: [
        {
          id: 7,
          path: "group/app",
          pipelines: [
            { id: 1, jobs: [{ id: 10, name: "build", artifacts: archive("older") }] },
            {
              id: 2,
              jobs: [
                { id: 20, name: "build", artifacts: archive("parent") },
                { id: 21, name: "lint", reports: ["junit"] },
                { id: 22, name: "docs" },
              ],
              bridges: [{ id: 23, name: "child", downstream: 3 }],
            },
            {
              id: 3,
              jobs: [
                { id: 30, name: "build", artifacts: archive("child") },
                { id: 31, name: "lint", artifacts: archive("child lint") },
                { id: 32, name: "docs", artifacts: archive("child docs") },
              ],
            },
            {
              id: 4,
              jobs: [{ id: 40, name: "build", status: "failed", artifacts: archive("failed") }],
            },
            {
              id: 5,
              jobs: [{ id: 50, name: "build", status: "running", artifacts: archive("running") }],
            },
          ],
        },
      ],
      tokens: [{ token: MAINTAINER, type: "personal" }],
    };
    const sim = await simulate(t, spec);
    const env = projectEnv(sim);
    const get = async (job: string) => {
      const dest = await tempDir(t);
      const { result } = await fetchArtifacts(sim, { job, ref: "main", path: dest }, env);
      return { result, text: await readFile(join(dest, "v.txt"), "utf8") };
    };
    const build = await get("build");
    assert.deepEqual(
      [build.result.jobs[0]?.id, build.result.pipelineId, build.text],
      [20, 2, "parent"],
    );
    // docs has no artifacts in the parent: the child's is chosen, in its own pipeline.
    const docs = await get("docs");
    assert.deepEqual(
      [docs.result.jobs[0]?.id, docs.result.jobs[0]?.pipelineId, docs.text],
      [32, 3, "child docs"],
    );
    // lint's report makes the parent's lint GitLab's choice, and it has no archive: GitLab's 404.
    await assert.rejects(
      fetchArtifacts(sim, { job: "lint", ref: "main", path: await tempDir(t) }, env),
      /no artifacts for lint \(job 21 of pipeline 2\), the job GitLab's ref endpoints choose in pipeline 2 \(the newest successful pipeline of main\) or its child pipelines, has reports but no artifacts archive/,
    );
    const ref = (job: string) =>
      ask(sim, `/projects/7/jobs/artifacts/main/raw/v.txt?job=${job}`, { token: MAINTAINER });
    // The simulator's ref endpoint (GitLab's lookup) agrees.
    assert.equal((await ref("build")).text, "parent");
    assert.equal((await ref("docs")).text, "child docs");
    assert.equal((await ref("lint")).status, 404);
  });

  test("misses are reported in words; a glob or job-id is refused up front", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(sim, { job: "buld", ref: "main", path: await tempDir(t) }),
      /no artifacts for no job "buld" with artifacts in pipeline 400 \(the newest successful pipeline of main\) or its child pipelines\n {2}hint: did you mean "build"\?/,
    );
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", ref: "nowhere", path: await tempDir(t) }),
      /no artifacts for no successful pipeline of nowhere, so no job "build"/,
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

  for (const profile of ["legacy", "recent"] as const)
    test(`${profile} GitLab refuses a job token the pipeline list: GitLab's ref endpoint finds the job, its id unknown`, async (t) => {
      const sample = JSON.parse(readFileSync(SAMPLE, "utf8")) as ScenarioSpec;
      const sim = await simulate(t, { ...sample, profile });
      const dest = await tempDir(t);
      const { result, log } = await fetchArtifacts(sim, { job: "build", ref: "main", path: dest });
      assert.equal(
        await readFile(join(dest, "dist/app.js"), "utf8"),
        "console.log('yesterday');\n",
      );
      const [job] = downloaded(result);
      assert.deepEqual(
        [job?.id, job?.pipelineId, result.pipelineId],
        [undefined, undefined, undefined],
      );
      assert.equal(
        job?.archiveUrl,
        `${sim.apiUrl}/projects/42/jobs/artifacts/main/download?job=build`,
      );
      assert.ok(
        log.lines.some((l) =>
          l.startsWith(
            "warning: build: the job id is unknown: this GitLab does not let a CI job token list pipelines (404 Project Not Found), so GitLab's ref endpoint finds the job itself",
          ),
        ),
        log.lines.join("\n"),
      );
      assert.deepEqual(
        sim.log.entries.map((e) => [e.route, e.status]),
        [
          ["pipelines", 404],
          ["ref-archive", 200],
        ],
      );
    });

  test("a newest successful pipeline GitLab's ref lookup skips (a web IDE one): GitLab's ref endpoint finds the job", async (t) => {
    const archive = (text: string) => ({
      files: [{ type: "file" as const, name: "v.txt", content: { text } }],
    });
    const sim = await simulate(
      t,
      project([
        { id: 1, jobs: [{ id: 10, name: "build", artifacts: archive("push") }] },
        { id: 2, source: "webide", jobs: [{ id: 20, name: "build", artifacts: archive("ide") }] },
      ]),
    );
    const dest = await tempDir(t);
    const { result, log } = await fetchArtifacts(
      sim,
      { job: "build", ref: "main", path: dest },
      projectEnv(sim),
    );
    assert.equal(await readFile(join(dest, "v.txt"), "utf8"), "push");
    assert.equal(result.jobs[0]?.id, undefined);
    assert.ok(
      log.lines.includes(
        "warning: build: the job id is unknown: pipeline 2 (webide on main), the newest successful one listed for main, is not one GitLab's ref lookup starts from, so GitLab's ref endpoint finds the job itself",
      ),
      log.lines.join("\n"),
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
