/** The client against GitLab behaviours a second reading of GitLab's source found. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { ScenarioSpec } from "../simulator/scenario.ts";
import { downloaded, fetchArtifacts, projectEnv, tempDir } from "../support/run.ts";
import { DEVELOPER, MAINTAINER, SAMPLE, simulate } from "../support/sim.ts";

const build = {
  id: 1,
  name: "build",
  artifacts: { files: [{ type: "file" as const, name: "a.txt", content: { text: "a\n" } }] },
};

function scenario(
  extra: Partial<ScenarioSpec["projects"][number]> = {},
  top: Partial<ScenarioSpec> = {},
): ScenarioSpec {
  return {
    projects: [
      { id: 7, path: "group/app", pipelines: [{ id: 5, ref: "main", jobs: [build] }], ...extra },
    ],
    tokens: [
      { token: MAINTAINER, type: "personal" },
      { token: DEVELOPER, type: "personal", user: "dev", role: "developer" },
    ],
    ...top,
  };
}

describe("GitLab fidelity, round two", () => {
  test("keep on a protected branch: the refusal says what right the user lacks", async (t) => {
    const sim = await simulate(t, scenario({ protectedRefs: [{ name: "main" }] }));
    await assert.rejects(
      fetchArtifacts(
        sim,
        { mode: "keep", job: "build" },
        { ...projectEnv(sim), GITLAB_TOKEN: DEVELOPER },
      ),
      (e: unknown) => {
        assert.match(String(e), /GitLab answered 403/);
        assert.match(String(e), /branch or tag is protected .* may push or merge to it/);
        return true;
      },
    );
    // A maintainer may.
    const ok = await fetchArtifacts(sim, { mode: "keep", job: "build" }, projectEnv(sim));
    assert.equal(ok.result.jobs[0]?.action, "kept");
  });

  test("a store that refuses HEAD on GET-signed URLs: list reads the storage from GitLab's redirect", async (t) => {
    const spec = scenario({}, { storeProvider: "Google" });
    const job = spec.projects[0]?.pipelines?.[0]?.jobs?.[0];
    if (job?.artifacts) job.artifacts.storage = "object";
    const sim = await simulate(t, spec);
    const { result } = await fetchArtifacts(sim, { mode: "list", job: "build" }, projectEnv(sim));
    assert.deepEqual(
      result.jobs.map((j) => (j.action === "listed" ? j.storage : j.action)),
      ["object storage"],
    );
  });

  test("proxied: a store 403 on a resume (an expired signature) starts over once, and the archive is whole", async (t) => {
    const spec = scenario();
    const job = spec.projects[0]?.pipelines?.[0]?.jobs?.[0];
    if (job?.artifacts)
      job.artifacts = {
        storage: "proxy",
        files: [{ type: "file", name: "big.bin", content: { size: 600_000, fill: "random" } }],
      };
    const sim = await simulate(t, spec);
    sim.inject({ origin: "storage", kind: "reset", afterBytes: 100_000, times: 1 });
    sim.inject({ origin: "storage", kind: "status", status: 403, ranged: true, times: 1 });
    const { result } = await fetchArtifacts(
      sim,
      { job: "build", path: await tempDir(t) },
      projectEnv(sim),
    );
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1)?.sha256);
    const archive = sim.log.find({ route: "archive" });
    assert.deepEqual(
      archive.map((r) => [r.status, r.range === undefined ? "whole" : "ranged"]),
      [
        [200, "whole"],
        [403, "ranged"],
        [200, "whole"],
      ],
    );
  });
});

describe("child -> parent: upstream", () => {
  const sample = () =>
    JSON.parse(readFileSync(SAMPLE, "utf8")) as ScenarioSpec & { profile?: string };

  test("a child job finds its parent's job through CI_UPSTREAM_PIPELINE_ID (GitLab 18.9+)", async (t) => {
    const sim = await simulate(t, { ...sample(), profile: "18.9" });
    const env: Record<string, string> = { ...sim.ciVariables(1101), GITLAB_TOKEN: MAINTAINER };
    assert.equal(env.CI_UPSTREAM_PIPELINE_ID, "500");
    const { result, log } = await fetchArtifacts(
      sim,
      { job: "build", upstream: "true", path: await tempDir(t) },
      env,
    );
    assert.deepEqual(
      result.jobs.map((j) => [j.id, j.pipelineId]),
      [[1001, 500]],
    );
    assert.ok(log.lines.some((l) => l.includes("also searching upstream pipeline 500")));
    // Without upstream, the child alone has no such job.
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", path: await tempDir(t) }, env),
      /no job matches "build" in pipeline 501/,
    );
  });

  test("on older GitLab, through PARENT_PIPELINE_ID passed by the trigger job", async (t) => {
    const sim = await simulate(t);
    const env: Record<string, string> = {
      ...sim.ciVariables(1101),
      GITLAB_TOKEN: MAINTAINER,
      PARENT_PIPELINE_ID: "500",
    };
    assert.equal(env.CI_UPSTREAM_PIPELINE_ID, undefined);
    const { result } = await fetchArtifacts(
      sim,
      { mode: "url", job: "build", upstream: "true" },
      env,
    );
    assert.deepEqual(result.lines, [`${sim.apiUrl}/projects/42/jobs/1001/artifacts`]);
    await assert.rejects(
      fetchArtifacts(
        sim,
        { mode: "url", job: "build", upstream: "true" },
        { ...env, PARENT_PIPELINE_ID: "" },
      ),
      /input "upstream": needs the upstream pipeline's id/,
    );
  });
});

test("a job token refused by another project's fine-grained permissions: the advice names the permission", async (t) => {
  const file = { type: "file" as const, name: "a.txt", content: { text: "a\n" } };
  const sim = await simulate(t, {
    projects: [
      {
        id: 7,
        path: "group/app",
        pipelines: [{ id: 5, jobs: [{ id: 1, name: "deploy", status: "running" }] }],
      },
      {
        id: 8,
        path: "group/lib",
        visibility: "private",
        jobTokenAllowlist: [{ project: 7, permissions: ["read_pipelines"] }],
        pipelines: [{ id: 9, jobs: [{ id: 20, name: "build", artifacts: { files: [file] } }] }],
      },
    ],
    tokens: [{ token: "glcbt-deploy", type: "job", job: 1 }],
  });
  const env = { CI_API_V4_URL: sim.apiUrl, CI_PROJECT_ID: "7", CI_JOB_TOKEN: "glcbt-deploy" };
  await assert.rejects(
    fetchArtifacts(sim, { project: "8", "job-id": "20", path: await tempDir(t) }, env),
    (e: unknown) => {
      assert.match(String(e), /The following token permission is required: read_jobs/);
      assert.match(String(e), /lacks the permission read_jobs .* job token permissions/);
      return true;
    },
  );
});
