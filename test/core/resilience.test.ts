/** Dropped connections, rate limits, server errors, waiting, and GitLab's refusals. */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { describe, test } from "node:test";
import { RunError } from "../../src/errors.ts";
import type { ScenarioSpec } from "../simulator/scenario.ts";
import { ciEnv, fetchArtifacts, tempDir, downloaded } from "../support/run.ts";
import { MAINTAINER, SAMPLE, simulate } from "../support/sim.ts";
import { readFileSync } from "node:fs";

const sample = (): ScenarioSpec => JSON.parse(readFileSync(SAMPLE, "utf8")) as ScenarioSpec;

describe("dropped connections resume", () => {
  test("a reset mid-download resumes with Range and If-Range, and the archive is whole", async (t) => {
    const sim = await simulate(t);
    sim.inject({ route: "archive", kind: "reset", afterBytes: 300_000, times: 1 });
    const { result, log } = await fetchArtifacts(sim, { job: "build", path: await tempDir(t) });
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1001)?.sha256);
    const requests = sim.log.find({ route: "archive" });
    assert.deepEqual(
      requests.map((r) => [r.status, r.outcome]),
      [
        [200, "reset"],
        [206, "complete"],
      ],
    );
    // It resumes where its file ends: at most the 300,000 bytes sent (a reset drops some in flight).
    const from = Number(/^bytes=(\d+)-$/.exec(requests[1]?.range ?? "")?.[1]);
    assert.ok(from > 0 && from <= 300_000, requests[1]?.range);
    assert.equal(requests[1]?.headers["if-range"], `"${sim.archiveOf(1001)?.sha256}"`);
    assert.ok(log.lines.some((l) => l.includes("resumed 1 time(s)")));
  });

  test("a connection closed short of Content-Length resumes too", async (t) => {
    const sim = await simulate(t);
    sim.inject({ route: "archive", kind: "truncate", afterBytes: 500_000, times: 2 });
    const { result } = await fetchArtifacts(sim, { job: "build", path: await tempDir(t) });
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1001)?.sha256);
    // Each resume starts where the file ends: no later than the cut (Node drops body bytes it
    // had buffered when a connection ends early), and after the previous start.
    const starts = sim.log
      .find({ route: "archive" })
      .map((r) => Number(/^bytes=(\d+)-$/.exec(r.range ?? "")?.[1] ?? 0));
    assert.equal(starts.length, 3);
    assert.ok(
      starts[0] === 0 && (starts[1] ?? 0) > 0 && (starts[1] ?? 0) <= 500_000,
      String(starts),
    );
    assert.ok(
      (starts[2] ?? 0) > (starts[1] ?? 0) && (starts[2] ?? 0) <= (starts[1] ?? 0) + 500_000,
      String(starts),
    );
  });

  test("from object storage, a resume goes back through GitLab for a fresh URL, still without the token", async (t) => {
    const sim = await simulate(t);
    sim.inject({ origin: "storage", kind: "reset", afterBytes: 100_000, times: 1 });
    const { result } = await fetchArtifacts(sim, {
      job: "package: [linux, amd64]",
      path: await tempDir(t),
    });
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1004)?.sha256);
    assert.deepEqual(
      sim.log
        .find({ origin: "storage" })
        .map((r) => [r.status, /^bytes=\d+-$/.test(r.range ?? "")]),
      [
        [200, false],
        [206, true],
      ],
    );
    assert.equal(sim.log.find({ route: "archive" }).length, 2);
    assert.deepEqual(sim.log.leaks, []);
  });

  test("a server that answers 200 to the resume restarts from the first byte", async (t) => {
    const sim = await simulate(t);
    sim.inject({ route: "archive", kind: "reset", afterBytes: 200_000, times: 1 });
    sim.inject({ route: "archive", kind: "ignore-range", skip: 1, times: 1 });
    const { result } = await fetchArtifacts(sim, { job: "build", path: await tempDir(t) });
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1001)?.sha256);
    assert.deepEqual(
      sim.log.find({ route: "archive" }).map((r) => r.status),
      [200, 200],
    );
  });

  test("a corrupted byte is caught, and nothing is written", async (t) => {
    const sim = await simulate(t);
    sim.inject({ route: "archive", kind: "corrupt", atByte: 1000 });
    const dest = await tempDir(t);
    await assert.rejects(fetchArtifacts(sim, { job: "build", path: dest }), /arrived corrupted/);
    assert.deepEqual(await readdir(dest), []);
  });
});

describe("retries", () => {
  test("429 with Retry-After is honoured, then the listing goes on", async (t) => {
    const sim = await simulate(t);
    sim.inject({ route: "pipeline-jobs", kind: "rate-limit", retryAfter: 1, times: 1 });
    const { result, log } = await fetchArtifacts(sim, { job: "build", path: await tempDir(t) });
    assert.equal(result.jobs[0]?.id, 1001);
    assert.deepEqual(
      sim.log.find({ route: "pipeline-jobs" }).map((r) => [r.path, r.status]),
      [
        ["/api/v4/projects/42/pipelines/500/jobs", 429],
        ["/api/v4/projects/42/pipelines/500/jobs", 200],
        ["/api/v4/projects/42/pipelines/501/jobs", 200],
      ],
    );
    assert.ok(
      log.lines.some((l) => /429 Retry later; retrying in 1\.0 s/.test(l)),
      log.lines.join("\n"),
    );
  });

  test("the application limiter's 429 (no Retry-After) and 5xx bursts are retried with backoff", async (t) => {
    const sim = await simulate(t);
    sim.inject({ route: "pipeline-jobs", kind: "app-rate-limit", times: 1 });
    sim.inject({ route: "archive", kind: "status", status: 502, times: 2 });
    sim.inject({ route: "archive", kind: "status", status: 503, skip: 2, times: 1 });
    const { result } = await fetchArtifacts(sim, { job: "build", path: await tempDir(t) });
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1001)?.sha256);
    assert.deepEqual(
      sim.log.find({ route: "archive" }).map((r) => r.status),
      [502, 502, 503, 200],
    );
  });

  test("a GitLab that keeps failing is given up on, with the attempts counted", async (t) => {
    const sim = await simulate(t);
    sim.inject({ route: "pipeline-jobs", kind: "status", status: 500 });
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", path: await tempDir(t) }),
      /gave up listing the jobs of pipeline 500 \(page 1\) after 6 attempts: 500 500 Internal Server Error/,
    );
    assert.equal(sim.log.find({ route: "pipeline-jobs" }).length, 6);
  });

  test("4xx answers other than 429 are not retried", async (t) => {
    const sim = await simulate(t);
    const env = { ...ciEnv(sim), CI_PIPELINE_ID: "999" };
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", path: await tempDir(t) }, env),
      /GitLab answered 404 \(404 Not found\)/,
    );
    assert.equal(sim.log.entries.length, 1);
  });
});

describe("jobs still running", () => {
  test("without wait: a clear error that names the job and says wait exists", async (t) => {
    const sim = await simulate(t);
    const dest = await tempDir(t);
    await assert.rejects(fetchArtifacts(sim, { job: "slow-report", path: dest }), (e: Error) => {
      assert.ok(e instanceof RunError);
      assert.match(e.message, /slow-report \(job 1008\) is still running/);
      assert.match(e.message, /use `wait: true` to wait for it/);
      return true;
    });
    assert.equal(sim.log.find({ route: "archive" }).length, 0);
  });

  test("with wait: polls until the job finishes, says what it waits for, then downloads", async (t) => {
    const sim = await simulate(t);
    // The simulated job finishes 45 s in; move the simulator's clock when the tool polls.
    let polls = 0;
    sim.events.on("request", (r: { route: string }) => {
      if (r.route === "pipeline-jobs" && ++polls === 3) sim.clock.advance(45_000);
    });
    const { result, log } = await fetchArtifacts(sim, {
      job: "slow-report",
      path: await tempDir(t),
      wait: "true",
    });
    assert.equal(result.jobs[0]?.id, 1008);
    assert.ok(log.lines.includes("waiting for slow-report (running)"), log.lines.join("\n"));
    assert.ok(log.lines.includes("slow-report: running -> success"), log.lines.join("\n"));
  });

  test("with wait: gives up at wait-timeout, naming the job and its status", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(sim, {
        job: "slow-report",
        path: await tempDir(t),
        wait: "true",
        "wait-timeout": "300ms",
      }),
      /timed out after \d+ s waiting for slow-report \(running\)/,
    );
  });
});

describe("GitLab's refusals become advice", () => {
  test("an older GitLab refuses job tokens for listing: use a token with read_api", async (t) => {
    const sim = await simulate(t, { ...sample(), profile: "legacy" });
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", path: await tempDir(t) }),
      (e: Error) => {
        assert.match(
          e.message,
          /GitLab answered 404 \(404 Project Not Found\) while listing the jobs of pipeline 500/,
        );
        assert.match(e.message, /does not let a CI job token list a pipeline's jobs.*read_api/);
        return true;
      },
    );
    // With a personal access token it works on the same GitLab.
    const ok = await fetchArtifacts(
      sim,
      { job: "build", path: await tempDir(t) },
      { ...ciEnv(sim), GITLAB_TOKEN: MAINTAINER },
    );
    assert.equal(ok.result.jobs[0]?.id, 1001);
  });

  test("a recent GitLab lists jobs but not trigger jobs for a job token: children skipped with a warning", async (t) => {
    const sim = await simulate(t, { ...sample(), profile: "recent" });
    const { result, log } = await fetchArtifacts(sim, { job: "build", path: await tempDir(t) });
    assert.equal(result.jobs[0]?.id, 1001);
    assert.ok(log.lines.some((l) => l.startsWith("warning: child pipelines not searched")));
  });

  test("an expired token says so", async (t) => {
    const spec = sample();
    spec.tokens = [
      ...(spec.tokens ?? []),
      { token: "glpat-expired-token", type: "personal", expired: true },
    ];
    const sim = await simulate(t, spec);
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", path: await tempDir(t), token: "glpat-expired-token" }),
      /401 \(invalid_token: Token is expired.*\n {2}hint: the token \(input "token"\) has expired/,
    );
  });

  test("a job that failed, or has no archive, is reported; if-no-artifact-found decides", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(sim, {
        job: "collect, nothing-like-this",
        path: await tempDir(t),
        status: "success,running",
      }),
      /no artifacts for no job matches "nothing-like-this" in pipeline 500 or its child pipelines; collect \(job 1020\) has no artifacts archive/,
    );
    const warned = await fetchArtifacts(sim, {
      job: "build, nothing-like-this",
      path: await tempDir(t),
      "if-no-artifact-found": "warn",
    });
    assert.equal(warned.result.found, true);
    assert.ok(
      warned.log.lines.some((l) =>
        l.startsWith('warning: no artifacts for no job matches "nothing-like-this"'),
      ),
    );
    const ignored = await fetchArtifacts(sim, {
      job: "nothing-like-this",
      path: await tempDir(t),
      "if-no-artifact-found": "ignore",
    });
    assert.equal(ignored.result.found, false);
  });
});
