/** Artifact routes: whole archive (local storage), single files, by ref, keep and delete. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { ArtifactsSpec, JobSpec, ScenarioSpec } from "../simulator/scenario.ts";
import { ask, JOB_TOKEN, MAINTAINER, project, simulate } from "../support/sim.ts";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const files = (...entries: [string, string][]): ArtifactsSpec => ({
  files: entries.map(([name, text]) => ({ type: "file" as const, name, content: { text } })),
});

describe("GET /projects/:id/jobs/:job_id/artifacts, local storage", () => {
  test("200 with the archive, GitLab's headers, and a strong ETag on the newest GitLab", async (t) => {
    const sim = await simulate(t);
    const r = await ask(sim, "/projects/42/jobs/1001/artifacts", { jobToken: JOB_TOKEN });
    const archive = sim.archiveOf(1001);
    assert.ok(archive);
    assert.equal(r.status, 200);
    assert.equal(sha256(r.body), archive.sha256);
    assert.equal(r.headers.get("content-type"), "application/octet-stream");
    assert.equal(
      r.headers.get("content-disposition"),
      "attachment; filename=\"artifacts.zip\"; filename*=UTF-8''artifacts.zip",
    );
    assert.equal(r.headers.get("content-length"), String(archive.size));
    assert.equal(r.headers.get("accept-ranges"), "bytes");
    assert.equal(r.headers.get("etag"), `"${archive.sha256}"`);
    assert.ok(Date.parse(r.headers.get("last-modified") ?? "") > 0);
    const older = await simulate(t, {
      ...(JSON.parse(
        readFileSync(new URL("../simulator/scenarios/sample.json", import.meta.url), "utf8"),
      ) as ScenarioSpec),
      profile: "recent",
    });
    const noEtag = await ask(older, "/projects/42/jobs/1001/artifacts", { jobToken: JOB_TOKEN });
    assert.equal(noEtag.headers.get("etag"), null);
  });

  test("Range gives 206 with Content-Range; suffix and open-ended ranges work", async (t) => {
    const sim = await simulate(t);
    const whole = (await ask(sim, "/projects/42/jobs/1001/artifacts", { token: MAINTAINER })).body;
    const part = await ask(sim, "/projects/42/jobs/1001/artifacts", {
      token: MAINTAINER,
      headers: { Range: "bytes=100-199" },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 100-199/${whole.length}`);
    assert.deepEqual(part.body, whole.subarray(100, 200));
    const tail = await ask(sim, "/projects/42/jobs/1001/artifacts", {
      token: MAINTAINER,
      headers: { Range: "bytes=-22" },
    });
    assert.deepEqual(tail.body, whole.subarray(whole.length - 22));
    const open = await ask(sim, "/projects/42/jobs/1001/artifacts", {
      token: MAINTAINER,
      headers: { Range: `bytes=${whole.length - 5}-` },
    });
    assert.deepEqual(open.body, whole.subarray(whole.length - 5));
    const beyond = await ask(sim, "/projects/42/jobs/1001/artifacts", {
      token: MAINTAINER,
      headers: { Range: `bytes=${whole.length}-` },
    });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get("content-range"), `bytes */${whole.length}`);
  });

  test("If-Range honours the range only when the ETag or date still matches", async (t) => {
    const sim = await simulate(t);
    const head = await ask(sim, "/projects/42/jobs/1001/artifacts", {
      method: "HEAD",
      token: MAINTAINER,
    });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    const etag = head.headers.get("etag") ?? "";
    const date = head.headers.get("last-modified") ?? "";
    for (const [ifRange, status] of [
      [etag, 206],
      [date, 206],
      ['"not-the-etag"', 200],
      ["Wed, 01 Jan 2025 00:00:00 GMT", 200],
    ] as const) {
      const r = await ask(sim, "/projects/42/jobs/1001/artifacts", {
        token: MAINTAINER,
        headers: { Range: "bytes=0-9", "If-Range": ifRange },
      });
      assert.equal(r.status, status, `If-Range: ${ifRange}`);
    }
    const cached = await ask(sim, "/projects/42/jobs/1001/artifacts", {
      token: MAINTAINER,
      headers: { "If-None-Match": etag },
    });
    assert.equal(cached.status, 304);
  });

  test("no archive: 404 Not Found; a job of another project or unknown: 404 Not found", async (t) => {
    const sim = await simulate(t);
    const none = await ask(sim, "/projects/42/jobs/1020/artifacts", { token: MAINTAINER });
    assert.equal(none.status, 404);
    assert.equal(none.text, '{"message":"404 Not Found"}');
    const unknown = await ask(sim, "/projects/42/jobs/5/artifacts", { token: MAINTAINER });
    assert.equal(unknown.text, '{"message":"404 Not found"}');
    const bridge = await ask(sim, "/projects/42/jobs/1030/artifacts", { token: MAINTAINER });
    assert.equal(bridge.text, '{"message":"404 Not found"}');
  });

  test("a running job has no archive until it finishes; an expired archive is still served", async (t) => {
    const sim = await simulate(
      t,
      project([
        {
          id: 5,
          jobs: [
            {
              id: 1,
              name: "slow",
              status: "running",
              timeline: [{ at: 10, status: "success" }],
              artifacts: files(["r.txt", "r"]),
            },
            { id: 2, name: "old", artifacts: { ...files(["o.txt", "o"]), expireIn: -60 } },
          ],
        },
      ]),
    );
    assert.equal(
      (await ask(sim, "/projects/7/jobs/1/artifacts", { token: MAINTAINER })).status,
      404,
    );
    const listed = await ask(sim, "/projects/7/pipelines/5/jobs", { token: MAINTAINER });
    const running = (
      listed.json as { id: number; artifacts_file?: unknown; artifacts: unknown[] }[]
    ).find((j) => j.id === 1);
    assert.equal(running?.artifacts_file, undefined);
    assert.deepEqual(running?.artifacts, []);
    sim.clock.advance(10_000);
    assert.equal(
      (await ask(sim, "/projects/7/jobs/1/artifacts", { token: MAINTAINER })).status,
      200,
    );
    assert.equal(
      (await ask(sim, "/projects/7/jobs/2/artifacts", { token: MAINTAINER })).status,
      200,
    );
    const job2 = (await ask(sim, "/projects/7/pipelines/5/jobs", { token: MAINTAINER })).json as {
      id: number;
      artifacts_file?: unknown;
      artifacts_expire_at: string;
    }[];
    const expired = job2.find((j) => j.id === 2);
    assert.equal(expired?.artifacts_file, undefined, "artifacts_file only while unexpired");
    assert.equal(expired?.artifacts_expire_at, "2026-11-01T11:59:00.000Z");
  });

  test("artifacts:access narrows who may download", async (t) => {
    const sim = await simulate(t, {
      ...project([
        {
          id: 5,
          jobs: [
            { id: 1, name: "secret", artifacts: { ...files(["s", "s"]), access: "developer" } },
            { id: 2, name: "none", artifacts: { ...files(["n", "n"]), access: "none" } },
          ],
        },
      ]),
      tokens: [
        { token: "glpat-reporter-1", type: "personal", role: "reporter" },
        { token: "glpat-developer-1", type: "personal", role: "developer" },
      ],
    });
    assert.equal(
      (await ask(sim, "/projects/7/jobs/1/artifacts", { token: "glpat-reporter-1" })).status,
      403,
    );
    assert.equal(
      (await ask(sim, "/projects/7/jobs/1/artifacts", { token: "glpat-developer-1" })).status,
      200,
    );
    assert.equal(
      (await ask(sim, "/projects/7/jobs/2/artifacts", { token: "glpat-developer-1" })).status,
      403,
    );
  });
});

describe("GET /projects/:id/jobs/:job_id/artifacts/*artifact_path", () => {
  const hostile: JobSpec = {
    id: 1,
    name: "build",
    artifacts: {
      expireIn: 3600,
      files: [
        { type: "file", name: "out/report.json", content: { text: '{"ok":true}' } },
        { type: "file", name: "out/big.txt", content: { size: 100_000, fill: "text" } },
        { type: "file", name: "Same.txt", content: { text: "first" } },
        { type: "file", name: "Same.txt", content: { text: "second" } },
        { type: "file", name: "../escape.txt", content: { text: "hostile" } },
        { type: "file", name: 'q"uote.bin', content: { text: "q" } },
        { type: "file", name: "noext", content: { text: "x" } },
      ],
    },
  };

  test("exact name, first match; Content-Length is the uncompressed size; type by extension", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: [hostile] }]));
    const json = await ask(sim, "/projects/7/jobs/1/artifacts/out/report.json", {
      token: MAINTAINER,
    });
    assert.equal(json.status, 200);
    assert.equal(json.text, '{"ok":true}');
    assert.equal(json.headers.get("content-type"), "application/json");
    assert.equal(json.headers.get("content-disposition"), 'attachment; filename="report.json"');
    const big = await ask(sim, "/projects/7/jobs/1/artifacts/out/big.txt", { token: MAINTAINER });
    assert.equal(big.headers.get("content-length"), "100000");
    assert.equal(big.body.length, 100_000);
    assert.equal(big.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(
      (await ask(sim, "/projects/7/jobs/1/artifacts/Same.txt", { token: MAINTAINER })).text,
      "first",
    );
    assert.equal(
      (await ask(sim, "/projects/7/jobs/1/artifacts/noext", { token: MAINTAINER })).headers.get(
        "content-type",
      ),
      "application/octet-stream",
    );
    const quoted = await ask(sim, "/projects/7/jobs/1/artifacts/q%22uote.bin", {
      token: MAINTAINER,
    });
    assert.equal(quoted.headers.get("content-disposition"), 'attachment; filename="q\\"uote.bin"');
    // No `..` check: the entry is found by its exact (hostile) name. (An encoded slash keeps
    // clients and proxies from resolving the dot segment before GitLab sees it.)
    assert.equal(
      (await ask(sim, "/projects/7/jobs/1/artifacts/..%2Fescape.txt", { token: MAINTAINER })).text,
      "hostile",
    );
  });

  test("a missing entry is Workhorse's plain-text 404; case and ./ matter", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: [hostile] }]));
    for (const path of ["out/nope.txt", "same.txt", ".%2FSame.txt", "out"]) {
      const r = await ask(sim, `/projects/7/jobs/1/artifacts/${path}`, { token: MAINTAINER });
      assert.equal(r.status, 404, path);
      assert.equal(r.text, "404 page not found\n");
      assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
    }
  });

  test("invalid UTF-8 or NUL in the path is 400 Bad request", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: [hostile] }]));
    for (const path of ["bad%FF.txt", "nul%00.txt"]) {
      const r = await ask(sim, `/projects/7/jobs/1/artifacts/${path}`, { token: MAINTAINER });
      assert.equal(r.status, 400, path);
      assert.equal(r.text, '{"message":"400 Bad request"}');
    }
  });

  test("expired artifacts: 404 JSON, unless the pipeline's artifacts are locked", async (t) => {
    const expired = (
      id: number,
      jobId: number,
      status?: "failed",
    ): ScenarioSpec["projects"][number]["pipelines"] => [
      {
        id,
        jobs: [
          {
            id: jobId,
            name: "build",
            status,
            artifacts: { ...files(["a.txt", "a"]), expireIn: -1 },
          },
        ],
      },
    ];
    // Pipeline 5 succeeded and is the newest of main: locked, so still served.
    const locked = await simulate(t, project(expired(5, 1)));
    assert.equal(
      (await ask(locked, "/projects/7/jobs/1/artifacts/a.txt", { token: MAINTAINER })).status,
      200,
    );
    // A failed pipeline is not locked.
    const unlocked = await simulate(t, project(expired(5, 1, "failed")));
    const r = await ask(unlocked, "/projects/7/jobs/1/artifacts/a.txt", { token: MAINTAINER });
    assert.equal(r.status, 404);
    assert.equal(r.text, '{"message":"404 Not Found"}');
  });
});

describe("by ref: /jobs/artifacts/:ref_name/download and /raw/*path", () => {
  const scenario = project([
    { id: 1, ref: "main", jobs: [{ id: 10, name: "build", artifacts: files(["v.txt", "one"]) }] },
    {
      id: 2,
      ref: "main",
      jobs: [{ id: 20, name: "other", artifacts: files(["v.txt", "two"]) }],
      bridges: [{ id: 21, name: "trigger", downstream: 3 }],
    },
    { id: 3, ref: "main", jobs: [{ id: 30, name: "build", artifacts: files(["v.txt", "child"]) }] },
    {
      id: 4,
      ref: "main",
      jobs: [{ id: 40, name: "build", status: "running", artifacts: files(["v.txt", "running"]) }],
    },
    {
      id: 5,
      ref: "feature/x",
      jobs: [{ id: 50, name: "build", artifacts: files(["v.txt", "feature"]) }],
    },
  ]);

  test("newest successful pipeline of the ref, then its child pipelines; never a running one", async (t) => {
    const sim = await simulate(t, scenario);
    // Pipeline 4 runs; 2 is the newest successful; its `build` lives in child pipeline 3.
    const raw = await ask(sim, "/projects/7/jobs/artifacts/main/raw/v.txt?job=build", {
      token: MAINTAINER,
    });
    assert.equal(raw.text, "child");
    assert.equal(raw.headers.get("content-type"), "text/plain; charset=utf-8");
    const other = await ask(sim, "/projects/7/jobs/artifacts/main/raw/v.txt?job=other", {
      token: MAINTAINER,
    });
    assert.equal(other.text, "two");
    const zip = await ask(sim, "/projects/7/jobs/artifacts/main/download?job=build", {
      token: MAINTAINER,
    });
    assert.equal(zip.status, 200);
    assert.equal(sha256(zip.body), sim.archiveOf(30)?.sha256);
    const slash = await ask(sim, "/projects/7/jobs/artifacts/feature/x/raw/v.txt?job=build", {
      token: MAINTAINER,
    });
    assert.equal(slash.text, "feature");
  });

  test("the first same-name job with ANY downloadable artifact wins, parent first; no archive is 404", async (t) => {
    const sim = await simulate(
      t,
      project([
        {
          id: 1,
          ref: "main",
          jobs: [
            // No artifacts at all: skipped, the child's `test` is chosen.
            { id: 10, name: "test" },
            // Only a report: chosen over the child's archive, and it has no archive.
            { id: 11, name: "lint", reports: ["codequality"] },
            { id: 12, name: "pkg", retried: true, artifacts: files(["v.txt", "retried"]) },
            { id: 13, name: "pkg", artifacts: files(["v.txt", "newest attempt"]) },
          ],
          bridges: [{ id: 14, name: "child", downstream: 2 }],
        },
        {
          id: 2,
          ref: "main",
          jobs: [
            { id: 20, name: "test", artifacts: files(["v.txt", "child test"]) },
            { id: 21, name: "lint", artifacts: files(["v.txt", "child lint"]) },
          ],
        },
      ]),
    );
    const raw = (job: string) =>
      ask(sim, `/projects/7/jobs/artifacts/main/raw/v.txt?job=${job}`, { token: MAINTAINER });
    assert.equal((await raw("test")).text, "child test");
    assert.equal((await raw("pkg")).text, "newest attempt");
    for (const r of [
      await raw("lint"),
      await ask(sim, "/projects/7/jobs/artifacts/main/download?job=lint", { token: MAINTAINER }),
    ]) {
      assert.equal(r.status, 404);
      assert.equal(r.text, '{"message":"404 Not Found"}');
    }
    // The report shows in the job entity's artifacts.
    const listed = (await ask(sim, "/projects/7/pipelines/1/jobs", { token: MAINTAINER })).json as {
      id: number;
      artifacts: { file_type: string; filename: string; file_format: string }[];
    }[];
    assert.deepEqual(
      listed
        .find((j) => j.id === 11)
        ?.artifacts.map((a) => [a.file_type, a.filename, a.file_format]),
      [
        ["codequality", "gl-code-quality-report.json", "raw"],
        ["trace", "job.log", null],
      ],
    );
    // Once the report is deleted, the job has nothing downloadable: the child's lint wins.
    assert.equal(
      (await ask(sim, "/projects/7/jobs/11/artifacts", { method: "DELETE", token: MAINTAINER }))
        .status,
      204,
    );
    assert.equal((await raw("lint")).text, "child lint");
  });

  test("misses are 404 Not found; job is required", async (t) => {
    const sim = await simulate(t, scenario);
    for (const path of [
      "/projects/7/jobs/artifacts/main/download?job=nope",
      "/projects/7/jobs/artifacts/nobranch/download?job=build",
    ]) {
      const r = await ask(sim, path, { token: MAINTAINER });
      assert.equal(r.status, 404, path);
      assert.equal(r.text, '{"message":"404 Not found"}');
    }
    const missing = await ask(sim, "/projects/7/jobs/artifacts/main/download", {
      token: MAINTAINER,
    });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, { error: "job is missing" });
  });
});

describe("keep and delete", () => {
  test("keep: 200 with the job, artifacts_expire_at cleared; 404 without unexpired artifacts", async (t) => {
    const sim = await simulate(
      t,
      project([
        {
          id: 5,
          jobs: [
            { id: 1, name: "a", artifacts: { ...files(["a", "a"]), expireIn: 3600 } },
            { id: 2, name: "b", artifacts: { ...files(["b", "b"]), expireIn: -5 } },
            { id: 3, name: "c" },
          ],
        },
      ]),
    );
    const kept = await ask(sim, "/projects/7/jobs/1/artifacts/keep", {
      method: "POST",
      token: MAINTAINER,
    });
    assert.equal(kept.status, 200);
    const job = kept.json as { id: number; artifacts_expire_at: string | null };
    assert.equal(job.id, 1);
    assert.equal(job.artifacts_expire_at, null);
    sim.clock.advance(7200_000);
    assert.equal(
      (await ask(sim, "/projects/7/jobs/1/artifacts/a", { token: MAINTAINER })).status,
      200,
    );
    for (const id of [2, 3]) {
      const r = await ask(sim, `/projects/7/jobs/${id}/artifacts/keep`, {
        method: "POST",
        token: MAINTAINER,
      });
      assert.equal(r.status, 404);
      assert.equal(r.text, '{"message":"404 Not Found"}');
    }
  });

  test("keep on a protected branch or tag needs the right to push or merge to it: else 403", async (t) => {
    const job = (id: number, pipeline: number) => ({
      id: pipeline,
      jobs: [{ id, name: "build", artifacts: { ...files(["a", "a"]), expireIn: 3600 } }],
    });
    const spec: ScenarioSpec = {
      projects: [
        {
          id: 7,
          path: "group/app",
          protectedRefs: [
            { name: "main" },
            { name: "release/*", allowed: "developer" },
            { name: "v*", tag: true, allowed: "no_one", users: ["releaser"] },
          ],
          pipelines: [
            { ...job(1, 11), ref: "main" },
            { ...job(2, 12), ref: "feature" },
            { ...job(3, 13), ref: "release/1.0" },
            { ...job(4, 14), ref: "v1.0", tag: true },
            // A branch named like the protected tags: tag rules do not apply to it.
            { ...job(5, 15), ref: "v2" },
          ],
        },
      ],
      tokens: [
        { token: "glpat-developer-1", type: "personal", role: "developer" },
        { token: "glpat-maintainer-1", type: "personal", role: "maintainer" },
        { token: "glpat-releaser-1", type: "personal", role: "developer", user: "releaser" },
      ],
    };
    const sim = await simulate(t, spec);
    const keep = (job: number, token: string) =>
      ask(sim, `/projects/7/jobs/${job}/artifacts/keep`, { method: "POST", token });
    const refused = await keep(1, "glpat-developer-1");
    assert.equal(refused.status, 403);
    assert.equal(refused.text, '{"message":"403 Forbidden"}');
    assert.notEqual(sim.world.jobs.get(1)?.artifacts?.expireAt, null, "a refusal keeps nothing");
    assert.equal((await keep(1, "glpat-maintainer-1")).status, 200);
    assert.equal((await keep(2, "glpat-developer-1")).status, 200, "unprotected branch");
    assert.equal((await keep(3, "glpat-developer-1")).status, 200, "wildcard allows Developers");
    assert.equal((await keep(4, "glpat-maintainer-1")).status, 403, "no one but releaser");
    assert.equal((await keep(4, "glpat-releaser-1")).status, 200, "a named user");
    assert.equal((await keep(5, "glpat-developer-1")).status, 200, "a branch, not a tag");
  });

  test("keep: a Reporter is refused before the job is looked up", async (t) => {
    const sim = await simulate(t, {
      ...project([{ id: 5, jobs: [{ id: 1, name: "a", artifacts: files(["a", "a"]) }] }]),
      tokens: [{ token: "glpat-reporter-1", type: "personal", role: "reporter" }],
    });
    for (const job of [1, 999]) {
      const r = await ask(sim, `/projects/7/jobs/${job}/artifacts/keep`, {
        method: "POST",
        token: "glpat-reporter-1",
      });
      assert.equal(r.status, 403, `job ${job}`);
      assert.equal(r.text, '{"message":"403 Forbidden"}');
    }
  });

  test("delete a job's artifacts: 204, then the archive is gone (the trace stays)", async (t) => {
    const sim = await simulate(t);
    const r = await ask(sim, "/projects/42/jobs/1001/artifacts", {
      method: "DELETE",
      token: MAINTAINER,
    });
    assert.equal(r.status, 204);
    assert.equal(r.body.length, 0);
    assert.equal(
      (await ask(sim, "/projects/42/jobs/1001/artifacts", { token: MAINTAINER })).status,
      404,
    );
    const listed = (
      await ask(sim, "/projects/42/pipelines/500/jobs?per_page=100", { token: MAINTAINER })
    ).json as {
      id: number;
      artifacts: { file_type: string }[];
    }[];
    assert.deepEqual(
      listed.find((j) => j.id === 1001)?.artifacts.map((a) => a.file_type),
      ["trace"],
    );
  });

  test("delete project artifacts: 202 now, deleted later, the newest successful pipeline of each ref spared", async (t) => {
    const sim = await simulate(
      t,
      project([
        { id: 1, ref: "main", jobs: [{ id: 10, name: "build", artifacts: files(["a", "old"]) }] },
        {
          id: 2,
          ref: "main",
          jobs: [{ id: 20, name: "build", artifacts: files(["a", "newest"]) }],
        },
        {
          id: 3,
          ref: "dev",
          jobs: [{ id: 30, name: "build", status: "failed", artifacts: files(["a", "failed"]) }],
        },
      ]),
    );
    const r = await ask(sim, "/projects/7/artifacts", { method: "DELETE", token: MAINTAINER });
    assert.equal(r.status, 202);
    assert.equal(r.text, '{"message":"202 Accepted"}');
    assert.equal(
      (await ask(sim, "/projects/7/jobs/10/artifacts", { token: MAINTAINER })).status,
      200,
      "not yet",
    );
    assert.equal(sim.runBackgroundJobs(), 1);
    assert.equal(
      (await ask(sim, "/projects/7/jobs/10/artifacts", { token: MAINTAINER })).status,
      404,
    );
    assert.equal(
      (await ask(sim, "/projects/7/jobs/20/artifacts", { token: MAINTAINER })).status,
      200,
    );
    assert.equal(
      (await ask(sim, "/projects/7/jobs/30/artifacts", { token: MAINTAINER })).status,
      404,
    );
  });

  test("deletes answer 409 while project statistics are refreshed", async (t) => {
    const spec = project([{ id: 5, jobs: [{ id: 1, name: "a", artifacts: files(["a", "a"]) }] }]);
    const first = spec.projects[0];
    assert.ok(first);
    first.refreshingStats = true;
    const sim = await simulate(t, spec);
    for (const path of ["/projects/7/jobs/1/artifacts", "/projects/7/artifacts"]) {
      const r = await ask(sim, path, { method: "DELETE", token: MAINTAINER });
      assert.equal(r.status, 409);
      assert.deepEqual(r.json, {
        message:
          "Action temporarily disabled. The project this pipeline belongs to is undergoing stats refresh.",
      });
    }
  });
});

describe("GET /projects/:id/jobs/:job_id/artifacts/tree (newest GitLab)", () => {
  const job: JobSpec = {
    id: 1,
    name: "build",
    artifacts: {
      files: [
        { type: "file", name: "tree", content: { text: "a root file named tree" } },
        { type: "file", name: "out/report.json", content: { text: '{"ok":true}' } },
        { type: "file", name: "out/deep/a.txt", content: { text: "abc" } },
        { type: "directory", name: "empty/" },
        { type: "file", name: "bin/tool", mode: 0o755, content: { text: "#!/bin/sh\n" } },
        { type: "symlink", name: "bin/latest", target: "tool" },
        { type: "file", name: "../escape.txt", content: { text: "hostile" } },
      ],
    },
  };
  const tree = (sim: Awaited<ReturnType<typeof simulate>>, query = "") =>
    ask(sim, `/projects/7/jobs/1/artifacts/tree${query}`, { token: MAINTAINER });

  test("lists the root's children, sorted, with implied directories; hostile names left out", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: [job] }]));
    const r = await tree(sim);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.deepEqual(r.json, [
      { name: "bin", path: "bin/", type: "directory", mode: "040755" },
      { name: "empty", path: "empty/", type: "directory", mode: "040755" },
      { name: "out", path: "out/", type: "directory", mode: "040755" },
      { name: "tree", path: "tree", type: "file", size: 22, mode: "100644" },
    ]);
    assert.equal(r.headers.get("x-total"), "4");
  });

  test("path= lists a directory; recursive=true everything below; a missing path is 404", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: [job] }]));
    const bin = await tree(sim, "?path=bin");
    assert.deepEqual(bin.json, [
      { name: "latest", path: "bin/latest", type: "file", size: 4, mode: "100777" },
      { name: "tool", path: "bin/tool", type: "file", size: 10, mode: "100755" },
    ]);
    const out = (await tree(sim, "?path=out/&recursive=true")).json as { path: string }[];
    assert.deepEqual(
      out.map((e) => e.path),
      ["out/deep/", "out/deep/a.txt", "out/report.json"],
    );
    const all = (await tree(sim, "?recursive=true")).json as { path: string }[];
    assert.equal(all.length, 9);
    const missing = await tree(sim, "?path=nope");
    assert.equal(missing.status, 404);
    assert.equal(missing.text, '{"message":"404 Not Found"}');
    const bad = await tree(sim, "?recursive=maybe");
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { error: "recursive is invalid" });
  });

  test("paginates like other listings", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: [job] }]));
    const first = await tree(sim, "?per_page=3");
    assert.equal((first.json as unknown[]).length, 3);
    assert.equal(first.headers.get("x-next-page"), "2");
    assert.equal(first.headers.get("x-total-pages"), "2");
    assert.match(first.headers.get("link") ?? "", /recursive=false/);
  });

  test("shadows a root file named tree on the newest GitLab only", async (t) => {
    const newest = await simulate(t, project([{ id: 5, jobs: [job] }]));
    assert.ok(Array.isArray((await tree(newest)).json), "the listing, not the file");
    const recent = await simulate(t, project([{ id: 5, jobs: [job] }], { profile: "recent" }));
    const file = await tree(recent);
    assert.equal(file.status, 200);
    assert.equal(file.text, "a root file named tree");
  });

  test("no archive, or expired and unlocked: 404; a job token reads it", async (t) => {
    const sim = await simulate(
      t,
      project(
        [
          {
            id: 5,
            status: "failed",
            jobs: [
              job,
              { id: 2, name: "none" },
              { id: 3, name: "old", artifacts: { ...files(["a", "a"]), expireIn: -1 } },
              { id: 4, name: "me", status: "running" },
            ],
          },
        ],
        {
          tokens: [
            { token: MAINTAINER, type: "personal" },
            { token: "glcbt-tree-reader", type: "job", job: 4 },
          ],
        },
      ),
    );
    for (const id of [2, 3]) {
      const r = await ask(sim, `/projects/7/jobs/${id}/artifacts/tree`, { token: MAINTAINER });
      assert.equal(r.status, 404, `job ${id}`);
      assert.equal(r.text, '{"message":"404 Not Found"}');
    }
    const viaJob = await ask(sim, "/projects/7/jobs/1/artifacts/tree", {
      jobToken: "glcbt-tree-reader",
    });
    assert.equal(viaJob.status, 200);
  });
});
