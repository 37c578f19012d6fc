import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  assertMatchesSchema,
  checkResponse,
  isDateTime,
  jsonResponses,
  loadOpenApi,
  matchRoute,
  OPENAPI_FILE,
} from "./openapi.ts";

const api = loadOpenApi();

type Job = Record<string, unknown>;

/** A job as GitLab answers GET /projects/:id/jobs/:job_id (every APIEntitiesCiJob field). */
function sampleJob(): Job {
  return {
    id: 8,
    status: "success",
    stage: "build",
    name: "build:linux",
    ref: "main",
    tag: false,
    coverage: 87.5,
    allow_failure: false,
    created_at: "2025-05-03T10:15:21.880Z",
    started_at: "2025-05-03T10:15:30.733Z",
    finished_at: "2025-05-03T10:17:31.198Z",
    erased_at: null,
    duration: 120.465,
    queued_duration: 8.853,
    user: {
      id: 1,
      username: "root",
      public_email: "",
      name: "Administrator",
      state: "active",
      locked: false,
      avatar_url: "https://gitlab.example.com/uploads/-/system/user/avatar/1/avatar.png",
      web_url: "https://gitlab.example.com/root",
      created_at: "2024-01-10T08:00:00.000Z",
      bio: "",
      location: "",
      linkedin: "",
      twitter: "",
      discord: "",
      website_url: "",
      job_title: "",
      pronouns: null,
      organization: "",
      bot: false,
      work_information: null,
      local_time: null,
    },
    commit: {
      id: "0ff3ae198f8601a285adcf5c0fff204ee6fba5fd",
      short_id: "0ff3ae19",
      created_at: "2025-05-03T12:14:02.000+02:00",
      parent_ids: ["a91957a858320c0e17f3a0eca7cfacbff50ea29a"],
      title: "Build the release binaries",
      message: "Build the release binaries\n",
      author_name: "Administrator",
      author_email: "admin@example.com",
      authored_date: "2025-05-03T12:14:02.000+02:00",
      committer_name: "Administrator",
      committer_email: "admin@example.com",
      committed_date: "2025-05-03T12:14:02.000+02:00",
      trailers: {},
      extended_trailers: {},
      web_url:
        "https://gitlab.example.com/group/project/-/commit/0ff3ae198f8601a285adcf5c0fff204ee6fba5fd",
    },
    pipeline: {
      id: 5,
      iid: 3,
      project_id: 1,
      sha: "0ff3ae198f8601a285adcf5c0fff204ee6fba5fd",
      ref: "main",
      status: "running",
      source: "push",
      created_at: "2025-05-03T10:15:21.500Z",
      updated_at: "2025-05-03T10:17:31.300Z",
      web_url: "https://gitlab.example.com/group/project/-/pipelines/5",
    },
    failure_reason: null,
    web_url: "https://gitlab.example.com/group/project/-/jobs/8",
    project: { ci_job_token_scope_enabled: false },
    artifacts_file: { filename: "artifacts.zip", size: 1024 },
    artifacts: [
      { file_type: "archive", size: 1024, filename: "artifacts.zip", file_format: "zip" },
      { file_type: "metadata", size: 153, filename: "metadata.gz", file_format: "gzip" },
      { file_type: "trace", size: 2048, filename: "job.log", file_format: null },
    ],
    runner: {
      id: 12,
      description: "shared-runner-1",
      ip_address: "10.0.0.12",
      active: true,
      paused: false,
      is_shared: true,
      runner_type: "instance_type",
      name: "gitlab-runner",
      online: true,
      status: "online",
    },
    runner_manager: {
      id: 4,
      system_id: "s_0e6850b2bce1",
      version: "17.11.0",
      revision: "0f67ff19",
      platform: "linux",
      architecture: "amd64",
      created_at: "2025-04-01T09:00:00.000Z",
      contacted_at: "2025-05-03T10:17:30.000Z",
      ip_address: "10.0.0.12",
      status: "online",
    },
    artifacts_expire_at: "2025-06-02T10:17:31.198Z",
    archived: false,
    tag_list: ["docker", "linux"],
  };
}

const JOB = "/api/v4/projects/1/jobs/8";
const PIPELINE_JOBS = "/api/v4/projects/1/pipelines/5/jobs";
const KEEP = "/api/v4/projects/1/jobs/8/artifacts/keep";

describe("OpenAPI reference document", () => {
  it("is kept with the tests (equal to shared/reference: test/reference.test.ts)", () => {
    assert.match(OPENAPI_FILE, /[/\\]test[/\\]reference[/\\]gitlab-openapi-ci\.yaml$/);
    assert.ok(existsSync(OPENAPI_FILE), OPENAPI_FILE);
  });

  it("is parsed once", () => {
    assert.equal(loadOpenApi(), api);
  });

  it("has JSON response schemas for exactly these routes", () => {
    assert.deepEqual(jsonResponses(api), [
      "get /api/v4/projects/{id}/pipelines/{pipeline_id} 200",
      "get /api/v4/projects/{id}/pipelines/{pipeline_id}/jobs 200",
      "get /api/v4/projects/{id}/pipelines/{pipeline_id}/bridges 200",
      "get /api/v4/projects/{id}/pipelines/{pipeline_id}/trigger_jobs 200",
      "get /api/v4/projects/{id}/jobs 200",
      "get /api/v4/projects/{id}/jobs/{job_id} 200",
      "get /api/v4/job 200",
      "post /api/v4/projects/{id}/jobs/{job_id}/artifacts/keep 201",
    ]);
  });

  it("fails loudly on a schema construct the checker does not support", () => {
    const dir = mkdtempSync(join(tmpdir(), "openapi-"));
    try {
      const file = join(dir, "doc.yaml");
      writeFileSync(
        file,
        "paths: {}\ncomponents:\n  schemas:\n    X:\n      allOf:\n      - type: string\n",
      );
      assert.throws(() => loadOpenApi(file), /components\.schemas\.X: unsupported .*"allOf"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("matchRoute", () => {
  const route = (method: string, path: string) => matchRoute(api, method, path);

  it("lets {artifact_path} span slashes", () => {
    assert.equal(
      route("get", "/api/v4/projects/1/jobs/5/artifacts/some/dir/file.txt"),
      "/api/v4/projects/{id}/jobs/{job_id}/artifacts/{artifact_path}",
    );
    assert.equal(
      route("get", "/api/v4/projects/1/jobs/artifacts/main/raw/some/dir/file.txt?job=build"),
      "/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path}",
    );
  });

  it("tells POST .../artifacts/keep from a file named keep", () => {
    assert.equal(
      route("post", "/api/v4/projects/1/jobs/5/artifacts/keep"),
      "/api/v4/projects/{id}/jobs/{job_id}/artifacts/keep",
    );
    assert.equal(
      route("get", "/api/v4/projects/1/jobs/5/artifacts/keep"),
      "/api/v4/projects/{id}/jobs/{job_id}/artifacts/{artifact_path}",
    );
  });

  it("keeps other parameters to one segment", () => {
    assert.equal(route("get", "/api/v4/projects/1/jobs/5"), "/api/v4/projects/{id}/jobs/{job_id}");
    assert.equal(
      route("get", "/api/v4/projects/group%2Fproject/jobs/5/artifacts"),
      "/api/v4/projects/{id}/jobs/{job_id}/artifacts",
    );
    assert.equal(
      route("get", "/api/v4/projects/1/jobs/artifacts/main/download?job=build"),
      "/api/v4/projects/{id}/jobs/artifacts/{ref_name}/download",
    );
    assert.equal(route("get", "/api/v4/projects/1/jobs/5/extra"), undefined);
    assert.equal(route("get", "/api/v4/projects/group/project/jobs/5"), undefined);
    assert.equal(route("put", "/api/v4/projects/1/jobs/5"), undefined);
  });
});

describe("checkResponse", () => {
  it("accepts a realistic job", () => {
    assert.deepEqual(checkResponse(api, "get", JOB, 200, sampleJob()), []);
    assert.deepEqual(checkResponse(api, "get", PIPELINE_JOBS, 200, [sampleJob(), sampleJob()]), []);
    assertMatchesSchema("get", JOB, 200, sampleJob());
    assertMatchesSchema("get", "/api/v4/job", 200, sampleJob());
  });

  it("accepts null for any property", () => {
    const job = sampleJob();
    for (const key of Object.keys(job)) job[key] = null;
    assert.deepEqual(checkResponse(api, "get", JOB, 200, job), []);
    const partial: Job = { ...sampleJob(), coverage: null, runner: null, finished_at: null };
    partial.pipeline = { ...(partial.pipeline as object), updated_at: null };
    assert.deepEqual(checkResponse(api, "get", JOB, 200, partial), []);
  });

  it("does not accept a null body or array item", () => {
    assert.deepEqual(checkResponse(api, "get", JOB, 200, null), [
      "body: expected object, got null",
    ]);
    assert.deepEqual(checkResponse(api, "get", PIPELINE_JOBS, 200, [sampleJob(), null]), [
      "body[1]: expected object, got null",
    ]);
  });

  it("reports a wrong type", () => {
    const job = { ...sampleJob(), id: "8", allow_failure: "false", tag_list: "docker" };
    assert.deepEqual(checkResponse(api, "get", JOB, 200, job), [
      "body.id: expected integer, got string",
      "body.allow_failure: expected boolean, got string",
      "body.tag_list: expected array, got string",
    ]);
    const fractional = { ...sampleJob(), id: 8.5 };
    assert.deepEqual(checkResponse(api, "get", JOB, 200, fractional), [
      "body.id: expected integer, got number",
    ]);
  });

  it("reports a property outside the schema", () => {
    const job: Job = { ...sampleJob(), artifacts_path: "artifacts.zip" };
    (job.runner as Job).token = "secret";
    assert.deepEqual(checkResponse(api, "get", JOB, 200, job), [
      "body.runner.token: property not in the schema",
      "body.artifacts_path: property not in the schema",
    ]);
  });

  it("reports a wrong nested type in pipeline, naming the array index", () => {
    const jobs = [sampleJob(), sampleJob(), sampleJob(), sampleJob()];
    jobs[3] = { ...sampleJob(), pipeline: { ...(sampleJob().pipeline as object), id: "5" } };
    assert.deepEqual(checkResponse(api, "get", PIPELINE_JOBS, 200, jobs), [
      "body[3].pipeline.id: expected integer, got string",
    ]);
  });

  it("checks array items and enums", () => {
    const job = sampleJob();
    job.artifacts = [{ file_type: "bogus", size: "1", filename: "a.zip", file_format: "zip" }];
    job.tag_list = ["docker", 3];
    assert.deepEqual(checkResponse(api, "get", JOB, 200, job), [
      'body.artifacts[0].file_type: "bogus" is not one of the documented values',
      "body.artifacts[0].size: expected integer, got string",
      "body.tag_list[1]: expected string, got number",
    ]);
  });

  it("reports a bad date-time", () => {
    const job: Job = { ...sampleJob(), created_at: "2025-05-03 10:15:21 UTC" };
    job.commit = { ...(job.commit as object), committed_date: "2025-02-30T10:00:00Z" };
    assert.deepEqual(checkResponse(api, "get", JOB, 200, job), [
      'body.created_at: expected an ISO 8601 date-time, got "2025-05-03 10:15:21 UTC"',
      'body.commit.committed_date: expected an ISO 8601 date-time, got "2025-02-30T10:00:00Z"',
    ]);
  });

  it("parses ISO 8601 date-times", () => {
    for (const ok of [
      "2015-12-24T15:51:21.880Z",
      "2017-07-26T11:08:53.000+02:00",
      "2024-02-29T00:00:00-07:00",
    ]) {
      assert.ok(isDateTime(ok), ok);
    }
    for (const bad of [
      "2015-12-24",
      "2015-12-24T25:00:00Z",
      "2023-02-29T00:00:00Z",
      "1450972281880",
      "2015-12-24T15:51:21",
    ]) {
      assert.ok(!isDateTime(bad), bad);
    }
  });

  it("keeps job durations numbers and pipeline durations integers", () => {
    const pipeline = {
      id: 5,
      iid: 3,
      project_id: 1,
      status: "success",
      duration: 127.5,
      queued_duration: 63,
      detailed_status: { icon: "status_success", text: "passed", illustration: { any: 1 } },
    };
    assert.deepEqual(checkResponse(api, "get", "/api/v4/projects/1/pipelines/5", 200, pipeline), [
      "body.duration: expected integer, got number",
    ]);
  });

  it("accepts a boolean project.ci_job_token_scope_enabled, and nothing else odd there", () => {
    for (const value of [true, false, "false"]) {
      const job = { ...sampleJob(), project: { ci_job_token_scope_enabled: value } };
      assert.deepEqual(checkResponse(api, "get", JOB, 200, job), [], String(value));
    }
    const job = { ...sampleJob(), project: { ci_job_token_scope_enabled: 1 } };
    assert.deepEqual(checkResponse(api, "get", JOB, 200, job), [
      "body.project.ci_job_token_scope_enabled: expected string, got number",
    ]);
    const elsewhere = { ...sampleJob(), name: true };
    assert.deepEqual(checkResponse(api, "get", JOB, 200, elsewhere), [
      "body.name: expected string, got boolean",
    ]);
  });

  it("validates a 200 from POST .../artifacts/keep against the documented 201", () => {
    assert.deepEqual(checkResponse(api, "post", KEEP, 200, sampleJob()), []);
    assert.deepEqual(checkResponse(api, "post", KEEP, 201, sampleJob()), []);
    assert.deepEqual(checkResponse(api, "post", KEEP, 200, { ...sampleJob(), id: "8" }), [
      "body.id: expected integer, got string",
    ]);
    assertMatchesSchema("post", KEEP, 200, sampleJob());
  });

  it("reports, rather than passes, a response without a schema", () => {
    const problems = checkResponse(api, "get", "/api/v4/projects/1/jobs/8/artifacts", 200, {});
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /has no JSON schema/);
  });
});

describe("assertMatchesSchema", () => {
  it("throws listing the problems", () => {
    assert.throws(
      () => assertMatchesSchema("get", PIPELINE_JOBS, 200, [{ ...sampleJob(), id: "8", x: 1 }]),
      (error: Error) =>
        error.message.includes("/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs") &&
        error.message.includes("body[0].id: expected integer, got string") &&
        error.message.includes("body[0].x: property not in the schema"),
    );
  });

  it("throws when the route and status have no JSON schema", () => {
    const cases: [string, string, number][] = [
      ["get", "/api/v4/projects/1/jobs/8/artifacts", 200], // application/octet-stream
      ["get", "/api/v4/projects/1/jobs/8/artifacts/some/dir/file.txt", 200], // no content
      ["get", "/api/v4/projects/1/jobs/8/artifacts/keep", 200], // a file named keep
      ["get", JOB, 404],
      ["post", KEEP, 404],
      ["delete", "/api/v4/projects/1/jobs/8/artifacts", 204],
      ["get", "/api/v4/projects/1/merge_requests", 200], // not in the document
    ];
    for (const [method, path, status] of cases) {
      assert.throws(
        () => assertMatchesSchema(method, path, status, {}),
        /has no JSON schema/,
        `${method} ${path} ${status}`,
      );
    }
  });
});
