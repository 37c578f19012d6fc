/** Tokens, scopes, roles, visibility and job-token acceptance per GitLab version. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JobSpec, ProjectSpec, ScenarioSpec } from "../simulator/scenario.ts";
import { ask, DEVELOPER, JOB_TOKEN, MAINTAINER, simulate } from "../support/sim.ts";

const JOBS = "/projects/42/pipelines/500/jobs";

/** Two projects; the job token belongs to a running job of project 7. */
function twoProjects(
  profile: ScenarioSpec["profile"] = "newest",
  allow: NonNullable<ProjectSpec["jobTokenAllowlist"]> = [],
  visibility: ProjectSpec["visibility"] = "private",
): ScenarioSpec {
  return {
    profile,
    projects: [
      {
        id: 7,
        path: "group/app",
        pipelines: [
          {
            id: 5,
            jobs: [
              {
                id: 1,
                name: "build",
                artifacts: { files: [{ type: "file", name: "a.txt", content: { text: "a" } }] },
              },
              {
                id: 2,
                name: "deploy",
                status: "running",
                timeline: [{ at: 60, status: "success" }],
              },
            ],
          },
        ],
      },
      {
        id: 8,
        path: "group/lib",
        visibility,
        jobTokenAllowlist: allow,
        pipelines: [
          {
            id: 6,
            jobs: [
              {
                id: 3,
                name: "build",
                artifacts: { files: [{ type: "file", name: "b.txt", content: { text: "b" } }] },
              },
            ],
          },
        ],
      },
      {
        id: 9,
        path: "group/public",
        visibility: "public",
        pipelines: [{ id: 10, jobs: [{ id: 11, name: "pub" }] }],
      },
    ],
    tokens: [
      { token: "glcbt-job-of-deploy", type: "job", job: 2, role: "developer" },
      { token: "glpat-guest-token", type: "personal", role: "guest", scopes: ["api"] },
      { token: "glpat-old-revoked", type: "personal", revoked: true },
      { token: "glpat-old-expired", type: "personal", expired: true },
      { token: "glpat-oauth-token", type: "oauth", role: "developer", scopes: ["read_api"] },
    ],
  };
}

describe("credentials", () => {
  test("PRIVATE-TOKEN header and private_token parameter; Bearer for OAuth and access tokens", async (t) => {
    const sim = await simulate(t);
    assert.equal((await ask(sim, JOBS, { token: MAINTAINER })).status, 200);
    assert.equal((await ask(sim, `${JOBS}?private_token=${MAINTAINER}`)).status, 200);
    assert.equal(
      (await ask(sim, JOBS, { headers: { Authorization: `Bearer ${MAINTAINER}` } })).status,
      200,
    );
  });

  test("an unknown token is 401 Unauthorized; revoked and expired ones get OAuth-style invalid_token", async (t) => {
    const sim = await simulate(t, twoProjects());
    const unknown = await ask(sim, "/projects/7/pipelines/5/jobs", {
      token: "glpat-nobody-has-this",
    });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.text, '{"message":"401 Unauthorized"}');
    const revoked = await ask(sim, "/projects/7/pipelines/5/jobs", { token: "glpat-old-revoked" });
    assert.equal(revoked.status, 401);
    assert.deepEqual(revoked.json, {
      error: "invalid_token",
      error_description: "Token was revoked. You have to re-authorize from the user.",
    });
    assert.match(
      revoked.headers.get("www-authenticate") ?? "",
      /^Bearer realm=".*", error="invalid_token"/,
    );
    const expired = await ask(sim, "/projects/7/pipelines/5/jobs", { token: "glpat-old-expired" });
    assert.equal(
      (expired.json as { error_description: string }).error_description,
      "Token is expired. You can either do re-authorization or token refresh.",
    );
  });

  test("a job token works as a header, as job_token and as Bearer, only while its job runs", async (t) => {
    const sim = await simulate(t, twoProjects());
    const path = "/projects/7/jobs/1/artifacts";
    assert.equal((await ask(sim, path, { jobToken: "glcbt-job-of-deploy" })).status, 200);
    assert.equal((await ask(sim, `${path}?job_token=glcbt-job-of-deploy`)).status, 200);
    assert.equal(
      (await ask(sim, path, { headers: { Authorization: "Bearer glcbt-job-of-deploy" } })).status,
      200,
    );
    sim.clock.advance(60_000);
    const finished = await ask(sim, path, { jobToken: "glcbt-job-of-deploy" });
    assert.equal(finished.status, 401);
    assert.equal(finished.text, '{"message":"401 Unauthorized"}');
  });

  test("no credentials on a private project: 404 Project Not Found; a public project reads anonymously", async (t) => {
    const sim = await simulate(t, twoProjects());
    const priv = await ask(sim, "/projects/7/pipelines/5/jobs");
    assert.equal(priv.status, 404);
    assert.equal(priv.text, '{"message":"404 Project Not Found"}');
    const pub = await ask(sim, "/projects/9/pipelines/10/jobs");
    assert.equal(pub.status, 200);
    assert.deepEqual(
      (pub.json as { name: string }[]).map((j) => j.name),
      ["pub"],
    );
  });
});

describe("job-token acceptance by GitLab version", () => {
  for (const [profile, listing, pipelines] of [
    ["legacy", false, false],
    ["recent", true, false],
    ["newest", true, true],
  ] as const) {
    test(`${profile}: listing jobs ${listing ? "accepts" : "ignores"} a job token, pipelines and bridges ${pipelines ? "accept" : "ignore"} it`, async (t) => {
      const sim = await simulate(t, twoProjects(profile));
      const expect = (ok: boolean) => (ok ? 200 : 404);
      const jobs = await ask(sim, "/projects/7/pipelines/5/jobs", {
        jobToken: "glcbt-job-of-deploy",
      });
      assert.equal(jobs.status, expect(listing));
      if (!listing) assert.equal(jobs.text, '{"message":"404 Project Not Found"}');
      for (const path of [
        "/projects/7/pipelines",
        "/projects/7/pipelines/5",
        "/projects/7/pipelines/5/bridges",
      ])
        assert.equal(
          (await ask(sim, path, { jobToken: "glcbt-job-of-deploy" })).status,
          expect(pipelines),
          path,
        );
      // Artifact downloads and GET /job accept job tokens in every version.
      assert.equal(
        (await ask(sim, "/projects/7/jobs/1/artifacts", { jobToken: "glcbt-job-of-deploy" }))
          .status,
        200,
      );
      assert.equal(
        (await ask(sim, "/projects/7/jobs/1/artifacts/a.txt", { jobToken: "glcbt-job-of-deploy" }))
          .status,
        200,
      );
      assert.equal((await ask(sim, "/job", { jobToken: "glcbt-job-of-deploy" })).status, 200);
    });
  }

  test("keep and both deletes never accept a job token: 401", async (t) => {
    const sim = await simulate(t, twoProjects());
    for (const [method, path] of [
      ["POST", "/projects/7/jobs/1/artifacts/keep"],
      ["DELETE", "/projects/7/jobs/1/artifacts"],
      ["DELETE", "/projects/7/artifacts"],
    ] as const) {
      const r = await ask(sim, path, { method, jobToken: "glcbt-job-of-deploy" });
      assert.equal(r.status, 401, path);
      assert.equal(r.text, '{"message":"401 Unauthorized"}');
    }
  });

  test("another project's job token needs that project's allowlist", async (t) => {
    const denied = await simulate(t, twoProjects("newest", []));
    const r = await ask(denied, "/projects/8/jobs/3/artifacts", {
      jobToken: "glcbt-job-of-deploy",
    });
    assert.equal(r.status, 403);
    assert.equal(
      r.text,
      '{"message":"403 Forbidden - Authentication by CI/CD job token not allowed from app to lib."}',
    );
    const allowed = await simulate(t, twoProjects("newest", [7]));
    assert.equal(
      (await ask(allowed, "/projects/8/jobs/3/artifacts", { jobToken: "glcbt-job-of-deploy" }))
        .status,
      200,
    );
  });
});

describe("cross-project job tokens", () => {
  const LIB_ARCHIVE = "/projects/8/jobs/3/artifacts";
  const asDeploy = { jobToken: "glcbt-job-of-deploy" };

  for (const visibility of ["public", "internal"] as const)
    test(`a ${visibility} project is readable by any project's job token, allowlist or not`, async (t) => {
      const sim = await simulate(t, twoProjects("newest", [], visibility));
      assert.equal((await ask(sim, LIB_ARCHIVE, asDeploy)).status, 200);
      assert.equal((await ask(sim, "/projects/8/pipelines/6/jobs", asDeploy)).status, 200);
    });

  test("fine-grained permissions: a route needing a permission the entry lacks is 403 naming it", async (t) => {
    const sim = await simulate(
      t,
      twoProjects("newest", [{ project: 7, permissions: ["read_pipelines"] }]),
    );
    const r = await ask(sim, LIB_ARCHIVE, asDeploy);
    assert.equal(r.status, 403);
    assert.equal(
      r.text,
      '{"message":"403 Forbidden - Insufficient permissions to access this resource in project lib. The following token permission is required: read_jobs."}',
    );
    const jobs = await ask(sim, "/projects/8/pipelines/6/jobs", asDeploy);
    assert.equal(jobs.status, 403);
    assert.match(jobs.text, /required: read_jobs\."\}$/);
    // The permission the entry grants works.
    assert.equal((await ask(sim, "/projects/8/pipelines/6", asDeploy)).status, 200);
    // The same project is never limited by another project's allowlist.
    assert.equal((await ask(sim, "/projects/7/jobs/1/artifacts", asDeploy)).status, 200);
  });

  test("fine-grained permissions that grant read_jobs let artifact downloads through", async (t) => {
    const sim = await simulate(
      t,
      twoProjects("newest", [{ project: 7, permissions: ["read_jobs"] }]),
    );
    assert.equal((await ask(sim, LIB_ARCHIVE, asDeploy)).status, 200);
    const pipeline = await ask(sim, "/projects/8/pipelines/6", asDeploy);
    assert.equal(pipeline.status, 403);
    assert.match(pipeline.text, /The following token permission is required: read_pipelines\./);
  });
});

describe("job token lifetime", () => {
  /** One build whose job token is checked as the job moves through `timeline`. */
  const withTokenJob = (job: Partial<JobSpec>): ScenarioSpec => ({
    projects: [
      {
        id: 7,
        path: "group/app",
        pipelines: [
          {
            id: 5,
            jobs: [
              {
                id: 1,
                name: "build",
                artifacts: { files: [{ type: "file", name: "a.txt", content: { text: "a" } }] },
              },
              { id: 2, name: "deploy", ...job },
            ],
          },
        ],
      },
    ],
    tokens: [{ token: "glcbt-job-of-deploy", type: "job", job: 2 }],
  });
  const status = async (sim: Awaited<ReturnType<typeof simulate>>) =>
    (await ask(sim, "/projects/7/jobs/1/artifacts", { jobToken: "glcbt-job-of-deploy" })).status;

  test("valid while the job is running or canceling, not once it is canceled", async (t) => {
    const sim = await simulate(
      t,
      withTokenJob({
        status: "running",
        timeline: [
          { at: 10, status: "canceling" },
          { at: 20, status: "canceled" },
        ],
      }),
    );
    assert.equal(await status(sim), 200);
    sim.clock.advance(10_000);
    assert.equal(await status(sim), 200, "canceling");
    sim.clock.advance(10_000);
    assert.equal(await status(sim), 401, "canceled");
  });

  test("valid while pending only when GitLab awaits the runner's ack", async (t) => {
    const awaiting = await simulate(
      t,
      withTokenJob({ status: "pending", awaitingRunnerAck: true }),
    );
    assert.equal(await status(awaiting), 200);
    const queued = await simulate(t, withTokenJob({ status: "pending" }));
    const r = await ask(queued, "/projects/7/jobs/1/artifacts", {
      jobToken: "glcbt-job-of-deploy",
    });
    assert.equal(r.status, 401);
    assert.equal(r.text, '{"message":"401 Unauthorized"}');
  });
});

describe("GET /job", () => {
  test("returns the job token's own job; a personal token gets 404 Job Not Found; none gets 401", async (t) => {
    const sim = await simulate(t);
    const own = await ask(sim, "/job", { jobToken: JOB_TOKEN });
    assert.equal(own.status, 200);
    const job = own.json as { id: number; name: string; status: string; pipeline: { id: number } };
    assert.deepEqual(
      [job.id, job.name, job.status, job.pipeline.id],
      [1020, "collect", "running", 500],
    );
    const pat = await ask(sim, "/job", { token: MAINTAINER });
    assert.equal(pat.status, 404);
    assert.equal(pat.text, '{"message":"404 Job Not Found"}');
    const none = await ask(sim, "/job");
    assert.equal(none.status, 401);
  });
});

describe("scopes and roles", () => {
  test("read_api reads but cannot write: 403 insufficient_scope", async (t) => {
    const sim = await simulate(t);
    assert.equal((await ask(sim, JOBS, { token: DEVELOPER })).status, 200);
    const keep = await ask(sim, "/projects/42/jobs/1001/artifacts/keep", {
      method: "POST",
      token: DEVELOPER,
    });
    assert.equal(keep.status, 403);
    assert.deepEqual(keep.json, {
      error: "insufficient_scope",
      error_description:
        "The request requires higher privileges than provided by the access token.",
      scope: "api",
    });
  });

  test("a guest sees the project but not its builds: empty job list, 403 on bridges and artifacts", async (t) => {
    const sim = await simulate(t, twoProjects());
    const jobs = await ask(sim, "/projects/7/pipelines/5/jobs", { token: "glpat-guest-token" });
    assert.equal(jobs.status, 200);
    assert.deepEqual(jobs.json, []);
    assert.equal(
      (await ask(sim, "/projects/7/pipelines/5/bridges", { token: "glpat-guest-token" })).status,
      403,
    );
    const art = await ask(sim, "/projects/7/jobs/1/artifacts", { token: "glpat-guest-token" });
    assert.equal(art.status, 403);
    assert.equal(art.text, '{"message":"403 Forbidden"}');
  });

  test("a Developer may keep but not delete; delete needs Maintainer", async (t) => {
    const sim = await simulate(t, {
      ...twoProjects(),
      tokens: [
        { token: "glpat-dev-with-api", type: "personal", role: "developer" },
        { token: "glpat-maintainer-x", type: "personal", role: "maintainer" },
      ],
    });
    const keep = await ask(sim, "/projects/7/jobs/1/artifacts/keep", {
      method: "POST",
      token: "glpat-dev-with-api",
    });
    assert.equal(keep.status, 200);
    const del = await ask(sim, "/projects/7/jobs/1/artifacts", {
      method: "DELETE",
      token: "glpat-dev-with-api",
    });
    assert.equal(del.status, 403);
    assert.equal(del.text, '{"message":"403 Forbidden"}');
    const delProject = await ask(sim, "/projects/7/artifacts", {
      method: "DELETE",
      token: "glpat-dev-with-api",
    });
    assert.equal(delProject.status, 403);
    const ok = await ask(sim, "/projects/7/jobs/1/artifacts", {
      method: "DELETE",
      token: "glpat-maintainer-x",
    });
    assert.equal(ok.status, 204);
  });
});
