/** list, keep, delete, delete-project and dry-run, over real HTTP against the simulator. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { InputError } from "../../src/errors.ts";
import type { ScenarioSpec } from "../simulator/scenario.ts";
import { ciEnv, fetchArtifacts, tempDir } from "../support/run.ts";
import { DEVELOPER, MAINTAINER, SAMPLE, simulate } from "../support/sim.ts";

const withToken = (sim: Parameters<typeof ciEnv>[0], token: string) => ({
  ...ciEnv(sim),
  GITLAB_TOKEN: token,
});

describe("list and dry-run", () => {
  test("list reports jobs, sizes and expiry, and downloads nothing", async (t) => {
    const sim = await simulate(t);
    const dest = join(await tempDir(t), "out");
    const { result } = await fetchArtifacts(sim, { mode: "list", job: "build, test", path: dest });
    assert.deepEqual(
      result.jobs.map((j) => [j.action, j.name, j.bytes, j.expiresAt]),
      [
        ["listed", "build", sim.archiveOf(1001)?.size, "2026-11-08T12:00:00.000Z"],
        ["listed", "test 1/2", sim.archiveOf(1002)?.size, null],
        ["listed", "test 2/2", sim.archiveOf(1003)?.size, null],
      ],
    );
    // Only a HEAD each, to tell where GitLab serves the archive from.
    assert.equal(sim.log.find({ route: "archive", method: "GET" }).length, 0);
    assert.deepEqual(
      result.jobs.map((j) => (j.action === "listed" ? j.storage : j.action)),
      ["gitlab", "gitlab", "gitlab"],
    );
    assert.equal(existsSync(dest), false);
    const remote = await fetchArtifacts(sim, { mode: "list", job: "package" });
    assert.deepEqual(
      remote.result.jobs.map((j) => [j.name, j.action === "listed" ? j.storage : j.action]),
      [
        ["package: [linux, amd64]", "object storage"],
        ["package: [darwin, arm64]", "gitlab"],
      ],
    );
    // Read from GitLab's redirect, never by asking the store (which may refuse a HEAD); the
    // simulator's own proxy fetches are not the tool's.
    assert.deepEqual(
      sim.log.entries.filter(
        (e) => e.origin === "storage" && e.headers["user-agent"]?.startsWith("pipeline-artifacts"),
      ),
      [],
    );
  });

  test("download with dry-run is the same listing; nothing is written", async (t) => {
    const sim = await simulate(t);
    const dest = join(await tempDir(t), "out");
    const { result } = await fetchArtifacts(sim, { job: "build", path: dest, "dry-run": "true" });
    assert.equal(result.dryRun, true);
    assert.deepEqual(
      result.jobs.map((j) => [j.action, j.id]),
      [["would-download", 1001]],
    );
    assert.equal(sim.log.find({ route: "archive" }).length, 0);
    assert.equal(existsSync(dest), false);
  });
});

describe("keep", () => {
  test("keeps the resolved jobs' artifacts: expiry cleared, reported per job", async (t) => {
    const sim = await simulate(t);
    const { result } = await fetchArtifacts(
      sim,
      { mode: "keep", job: "build" },
      withToken(sim, MAINTAINER),
    );
    assert.deepEqual(
      result.jobs.map((j) => [j.action, j.id, j.expiresAt]),
      [["kept", 1001, null]],
    );
    assert.deepEqual(
      sim.log.find({ route: "keep" }).map((r) => [r.method, r.path, r.status]),
      [["POST", "/api/v4/projects/42/jobs/1001/artifacts/keep", 200]],
    );
  });

  test("dry-run keeps nothing, and says would-keep", async (t) => {
    const sim = await simulate(t);
    const { result } = await fetchArtifacts(
      sim,
      { mode: "keep", job: "build", "dry-run": "true" },
      withToken(sim, MAINTAINER),
    );
    assert.equal(sim.log.find({ route: "keep" }).length, 0);
    assert.deepEqual(
      result.jobs.map((j) => [j.action, j.id]),
      [["would-keep", 1001]],
    );
  });

  test("a job token is refused before any request, saying what is needed", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(fetchArtifacts(sim, { mode: "keep", job: "build" }), (e: Error) => {
      assert.ok(e instanceof InputError);
      assert.match(
        e.message,
        /^input "token": a CI job token \(CI_JOB_TOKEN\) cannot keep artifacts: .*api scope and at least the Developer role$/,
      );
      return true;
    });
    assert.equal(sim.log.entries.length, 0);
  });

  test("a read_api token is refused by GitLab: the message asks for api scope", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(sim, { mode: "keep", job: "build" }, withToken(sim, DEVELOPER)),
      /GitLab answered 403 \(insufficient_scope.*\n {2}hint: the token \(GITLAB_TOKEN\) lacks a scope this needs: use a token with api scope/,
    );
  });
});

describe("delete", () => {
  const spec = (): ScenarioSpec => {
    const s = JSON.parse(readFileSync(SAMPLE, "utf8")) as ScenarioSpec;
    s.tokens = [
      ...(s.tokens ?? []),
      { token: "glpat-developer-api", type: "personal", role: "developer" },
    ];
    return s;
  };

  test("deletes exactly the resolved jobs' artifacts and reports each", async (t) => {
    const sim = await simulate(t, spec());
    const { result } = await fetchArtifacts(
      sim,
      { mode: "delete", job: "test" },
      withToken(sim, MAINTAINER),
    );
    assert.deepEqual(
      result.jobs.map((j) => [j.action, j.id]),
      [
        ["deleted", 1002],
        ["deleted", 1003],
      ],
    );
    assert.deepEqual(
      sim.log.find({ route: "delete-artifacts" }).map((r) => [r.path, r.status]),
      [
        ["/api/v4/projects/42/jobs/1002/artifacts", 204],
        ["/api/v4/projects/42/jobs/1003/artifacts", 204],
      ],
    );
    const after = await fetchArtifacts(
      sim,
      { mode: "list", job: "test", "if-no-artifact-found": "ignore" },
      withToken(sim, MAINTAINER),
    );
    assert.equal(after.result.found, false);
  });

  test("a Developer is refused: the message asks for Maintainer", async (t) => {
    const sim = await simulate(t, spec());
    await assert.rejects(
      fetchArtifacts(sim, { mode: "delete", job: "build" }, withToken(sim, "glpat-developer-api")),
      /GitLab answered 403 \(403 Forbidden\) while deleting the artifacts of job 1001\n {2}hint: deleting artifacts needs a token with api scope whose user has at least the Maintainer role/,
    );
  });

  test("dry-run deletes nothing; a job token is refused before any request", async (t) => {
    const sim = await simulate(t, spec());
    const { result } = await fetchArtifacts(
      sim,
      { mode: "delete", job: "build", "dry-run": "true" },
      withToken(sim, MAINTAINER),
    );
    assert.equal(sim.log.find({ route: "delete-artifacts" }).length, 0);
    assert.ok(result.jobs.length > 0);
    assert.ok(result.jobs.every((j) => j.action === "would-delete"));
    const before = sim.log.entries.length;
    await assert.rejects(
      fetchArtifacts(sim, { mode: "delete", job: "build" }),
      /cannot delete artifacts/,
    );
    assert.equal(sim.log.entries.length, before);
  });

  test("if-no-artifact-found applies: a job without artifacts fails the run before anything is deleted", async (t) => {
    const sim = await simulate(t, spec());
    await assert.rejects(
      fetchArtifacts(
        sim,
        { mode: "delete", job: "build, lint, collect", status: "success,running" },
        withToken(sim, MAINTAINER),
      ),
      /no artifacts for collect \(job 1020\) has no artifacts archive/,
    );
    assert.equal(sim.log.find({ route: "delete-artifacts" }).length, 0);
  });
});

describe("delete-project", () => {
  test("needs confirm naming the project; nothing is requested without it", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(sim, { mode: "delete-project" }, withToken(sim, MAINTAINER)),
      /^InputError: input "confirm": delete-project deletes the artifacts of every job in project 42 .*set confirm to "42" to go ahead$/,
    );
    await assert.rejects(
      fetchArtifacts(sim, { mode: "delete-project", confirm: "43" }, withToken(sim, MAINTAINER)),
      /input "confirm"/,
    );
    assert.equal(sim.log.entries.length, 0);
  });

  test("asks GitLab, and says that GitLab deletes in the background", async (t) => {
    const sim = await simulate(t);
    const { result } = await fetchArtifacts(
      sim,
      { mode: "delete-project", confirm: "42" },
      withToken(sim, MAINTAINER),
    );
    assert.match(
      result.note ?? "",
      /GitLab accepted deleting the artifacts of project 42 \(202 Accepted\); it deletes them in the background/,
    );
    assert.equal(sim.log.find({ route: "delete-project-artifacts" })[0]?.status, 202);
    assert.equal(sim.runBackgroundJobs(), 1);
  });

  test("dry-run asks nothing of GitLab and says what would happen", async (t) => {
    const sim = await simulate(t);
    const { result } = await fetchArtifacts(
      sim,
      { mode: "delete-project", confirm: "42", "dry-run": "true" },
      withToken(sim, MAINTAINER),
    );
    assert.match(
      result.note ?? "",
      /^Would ask GitLab to delete the artifacts of every job in project 42/,
    );
    assert.equal(sim.log.entries.length, 0);
  });

  test("names no jobs", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(
        sim,
        { mode: "delete-project", confirm: "42", job: "build" },
        withToken(sim, MAINTAINER),
      ),
      /input "job": delete-project works on the whole project/,
    );
  });
});

describe("list with files", () => {
  test("each archive's entries, from its central directory alone; with paths only the matching", async (t) => {
    const sim = await simulate(t);
    const { result } = await fetchArtifacts(sim, { mode: "list", job: "build", files: "true" });
    const [job] = result.jobs;
    assert.equal(job?.action, "listed");
    const entries = job?.action === "listed" ? (job.entries ?? []) : [];
    const paths = entries.map((e) => e.path);
    assert.ok(paths.includes("dist/app.js"), String(paths));
    const link = entries.find((e) => e.type === "symlink");
    assert.equal(link?.target, "tool");
    assert.equal(entries.find((e) => e.path === "bin/tool")?.mode, "755");
    // Only ranges of the archive travelled, far less than the whole of it.
    const ranged = sim.log.find({ route: "archive", method: "GET" });
    assert.ok(ranged.length > 0 && ranged.every((r) => r.range !== undefined && r.status === 206));
    const moved = ranged.reduce((n, r) => n + r.bytes, 0);
    assert.ok(moved < (sim.archiveOf(1001)?.size ?? 0) / 2, `${moved} bytes`);
    const some = await fetchArtifacts(sim, {
      mode: "list",
      job: "build",
      files: "true",
      paths: "dist/*.js",
    });
    const only = some.result.jobs[0];
    assert.deepEqual(only?.action === "listed" ? only.entries?.map((e) => e.path) : [], [
      "dist/app.js",
    ]);
  });
});
