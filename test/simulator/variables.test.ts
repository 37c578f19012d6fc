/** sim.ciVariables(jobId): the CI/CD variables a job sees, CI_UPSTREAM_* from GitLab 18.9. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ask, simulate } from "../support/sim.ts";
import type { ScenarioSpec } from "./scenario.ts";

/** A parent pipeline triggering a child (same project) and a downstream pipeline (another project). */
function triggered(profile: ScenarioSpec["profile"]): ScenarioSpec {
  return {
    profile,
    projects: [
      {
        id: 7,
        path: "group/app",
        pipelines: [
          {
            id: 5,
            jobs: [{ id: 1, name: "build", status: "running" }],
            bridges: [
              { id: 2, name: "child", status: "running", downstream: 6 },
              { id: 3, name: "deploy", status: "running", downstream: 20 },
            ],
          },
          { id: 6, jobs: [{ id: 10, name: "child-job", status: "running" }] },
        ],
      },
      {
        id: 8,
        path: "ops/deployer",
        pipelines: [{ id: 20, jobs: [{ id: 30, name: "roll out", status: "running" }] }],
      },
    ],
    tokens: [
      { token: "glcbt-parent-build", type: "job", job: 1 },
      { token: "glcbt-child-job-1", type: "job", job: 10 },
    ],
  };
}

const UPSTREAM = ["CI_UPSTREAM_PIPELINE_ID", "CI_UPSTREAM_PROJECT_ID", "CI_UPSTREAM_JOB_ID"];

describe("sim.ciVariables", () => {
  test("a job's variables point at this simulator and work as a client's environment", async (t) => {
    const sim = await simulate(t, triggered("newest"));
    const vars = sim.ciVariables(10);
    assert.deepEqual(vars, {
      CI_SERVER_URL: sim.url,
      CI_API_V4_URL: sim.apiUrl,
      CI_SERVER_FQDN: new URL(sim.url).host,
      CI_PROJECT_ID: "7",
      CI_PROJECT_PATH: "group/app",
      CI_PIPELINE_ID: "6",
      CI_PIPELINE_SOURCE: "parent_pipeline",
      CI_JOB_ID: "10",
      CI_JOB_NAME: "child-job",
      CI_JOB_TOKEN: "glcbt-child-job-1",
      CI_COMMIT_REF_NAME: "main",
    });
    const own = await ask(sim, `${vars.CI_API_V4_URL}/job`, { jobToken: vars.CI_JOB_TOKEN });
    assert.equal(own.status, 200);
    assert.equal((own.json as { id: number }).id, 10);
    // No job token in the scenario for that job: no CI_JOB_TOKEN.
    assert.equal("CI_JOB_TOKEN" in sim.ciVariables(30), false);
    assert.throws(() => sim.ciVariables(2), /no build with id 2/);
    assert.throws(() => sim.ciVariables(999), /no build with id 999/);
  });

  test("before GitLab 18.9 no job sees CI_UPSTREAM_*", async (t) => {
    const sim = await simulate(t, triggered("newest"));
    for (const id of [1, 10, 30])
      for (const name of UPSTREAM)
        assert.equal(name in sim.ciVariables(id), false, `${id} ${name}`);
  });

  test("18.9: jobs of a pipeline started by a trigger job see its pipeline, project and job", async (t) => {
    const sim = await simulate(t, triggered("18.9"));
    const pick = (id: number) =>
      Object.fromEntries(UPSTREAM.map((name) => [name, sim.ciVariables(id)[name]]));
    assert.deepEqual(pick(10), {
      CI_UPSTREAM_PIPELINE_ID: "5",
      CI_UPSTREAM_PROJECT_ID: "7",
      CI_UPSTREAM_JOB_ID: "2",
    });
    assert.deepEqual(pick(30), {
      CI_UPSTREAM_PIPELINE_ID: "5",
      CI_UPSTREAM_PROJECT_ID: "7",
      CI_UPSTREAM_JOB_ID: "3",
    });
    assert.equal(sim.ciVariables(30).CI_PIPELINE_SOURCE, "pipeline");
    // The parent was not triggered by anything.
    for (const name of UPSTREAM) assert.equal(name in sim.ciVariables(1), false, name);
    // The ids name real things on this simulator.
    const bridges = await ask(sim, "/projects/7/pipelines/5/bridges", {
      jobToken: "glcbt-child-job-1",
    });
    assert.equal(bridges.status, 200);
    const bridge = (bridges.json as { id: number; downstream_pipeline: { id: number } }[]).find(
      (b) => String(b.id) === pick(10).CI_UPSTREAM_JOB_ID,
    );
    assert.equal(bridge?.downstream_pipeline.id, 6);
  });
});
