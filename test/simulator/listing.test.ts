/** Listing pipelines, and a pipeline's jobs and trigger jobs: parameters, order, retries, pagination headers. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JobSpec } from "../simulator/scenario.ts";
import { ask, MAINTAINER, project, simulate } from "../support/sim.ts";

const jobs = (n: number, make: (i: number) => Partial<JobSpec> = () => ({})): JobSpec[] =>
  Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `job ${i + 1}`, ...make(i) }));

const names = (body: unknown) => (body as { name: string }[]).map((j) => j.name);
const ids = (body: unknown) => (body as { id: number }[]).map((j) => j.id);

describe("GET /projects/:id/pipelines/:pipeline_id/jobs", () => {
  test("newest first, 20 a page by default, with every pagination header", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: jobs(45) }]));
    const r = await ask(sim, "/projects/7/pipelines/5/jobs", { token: MAINTAINER });
    assert.equal(r.status, 200);
    assert.deepEqual(
      ids(r.json),
      Array.from({ length: 20 }, (_, i) => 45 - i),
    );
    const h = Object.fromEntries(r.headers);
    assert.equal(h["x-page"], "1");
    assert.equal(h["x-per-page"], "20");
    assert.equal(h["x-next-page"], "2");
    assert.equal(h["x-prev-page"], "");
    assert.equal(h["x-total"], "45");
    assert.equal(h["x-total-pages"], "3");
    const base = `${sim.apiUrl}/projects/7/pipelines/5/jobs?id=7&include_retried=false`;
    assert.equal(
      h.link,
      `<${base}&page=2&per_page=20&pipeline_id=5>; rel="next", <${base}&page=1&per_page=20&pipeline_id=5>; rel="first", <${base}&page=3&per_page=20&pipeline_id=5>; rel="last"`,
    );
  });

  test("a middle page links prev and next; the last page has no next", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: jobs(45) }]));
    const mid = await ask(sim, "/projects/7/pipelines/5/jobs?page=2&per_page=20", {
      token: MAINTAINER,
    });
    assert.equal(mid.headers.get("x-prev-page"), "1");
    assert.equal(mid.headers.get("x-next-page"), "3");
    assert.match(
      mid.headers.get("link") ?? "",
      /^<[^>]*page=1[^>]*>; rel="prev", <[^>]*page=3[^>]*>; rel="next"/,
    );
    const last = await ask(sim, "/projects/7/pipelines/5/jobs?page=3", { token: MAINTAINER });
    assert.deepEqual(ids(last.json), [5, 4, 3, 2, 1]);
    assert.equal(last.headers.get("x-next-page"), "");
    assert.doesNotMatch(last.headers.get("link") ?? "", /rel="next"/);
  });

  test("a page past the end is an empty list with neither next nor prev", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: jobs(3) }]));
    const r = await ask(sim, "/projects/7/pipelines/5/jobs?page=9", { token: MAINTAINER });
    assert.deepEqual(r.json, []);
    assert.equal(r.headers.get("x-page"), "9");
    assert.equal(r.headers.get("x-next-page"), "");
    assert.equal(r.headers.get("x-prev-page"), "");
    assert.equal(r.headers.get("x-total"), "3");
  });

  test("an empty pipeline still says X-Total 0 and X-Total-Pages 1", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: [] }]));
    const r = await ask(sim, "/projects/7/pipelines/5/jobs", { token: MAINTAINER });
    assert.deepEqual(r.json, []);
    assert.equal(r.headers.get("x-total"), "0");
    assert.equal(r.headers.get("x-total-pages"), "1");
    assert.match(
      r.headers.get("link") ?? "",
      /page=1[^>]*>; rel="first", <[^>]*page=1[^>]*>; rel="last"$/,
    );
  });

  test("per_page above 100 is clamped to 100; 0 and non-numbers are refused", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: jobs(150) }]));
    const big = await ask(sim, "/projects/7/pipelines/5/jobs?per_page=500", { token: MAINTAINER });
    assert.equal((big.json as unknown[]).length, 100);
    assert.equal(big.headers.get("x-per-page"), "100");
    assert.match(big.headers.get("link") ?? "", /per_page=100/);
    const zero = await ask(sim, "/projects/7/pipelines/5/jobs?per_page=0", { token: MAINTAINER });
    assert.equal(zero.status, 400);
    assert.deepEqual(zero.json, { error: "per_page has a value not allowed" });
    const word = await ask(sim, "/projects/7/pipelines/5/jobs?page=two", { token: MAINTAINER });
    assert.equal(word.status, 400);
    assert.deepEqual(word.json, { error: "page is invalid" });
    const negative = await ask(sim, "/projects/7/pipelines/5/jobs?page=-3&per_page=-1", {
      token: MAINTAINER,
    });
    assert.equal(negative.headers.get("x-page"), "1");
    assert.equal(negative.headers.get("x-per-page"), "20");
  });

  test("past 10,000 jobs the totals and rel=last are omitted, X-Next-Page still leads on", async (t) => {
    const sim = await simulate(t, project([{ id: 5, jobs: jobs(10_001) }]));
    const first = await ask(sim, "/projects/7/pipelines/5/jobs?per_page=100", {
      token: MAINTAINER,
    });
    assert.equal(first.headers.get("x-total"), null);
    assert.equal(first.headers.get("x-total-pages"), null);
    assert.doesNotMatch(first.headers.get("link") ?? "", /rel="last"/);
    assert.equal(first.headers.get("x-next-page"), "2");
    const last = await ask(sim, "/projects/7/pipelines/5/jobs?per_page=100&page=101", {
      token: MAINTAINER,
    });
    assert.deepEqual(ids(last.json), [1]);
    assert.equal(last.headers.get("x-next-page"), "");
    // At exactly 10,000 GitLab still counts.
    const sim2 = await simulate(t, project([{ id: 5, jobs: jobs(10_000) }]));
    const counted = await ask(sim2, "/projects/7/pipelines/5/jobs", { token: MAINTAINER });
    assert.equal(counted.headers.get("x-total"), "10000");
  });

  test("countLimit moves the count limit (benchmarks compare long lists with and without totals)", async (t) => {
    const spec = project([{ id: 5, jobs: jobs(120) }]);
    const counted = await simulate(t, spec, { countLimit: 120 });
    const a = await ask(counted, "/projects/7/pipelines/5/jobs?per_page=100", {
      token: MAINTAINER,
    });
    assert.equal(a.headers.get("x-total"), "120");
    assert.equal(a.headers.get("x-total-pages"), "2");
    const uncounted = await simulate(t, spec, { countLimit: 119 });
    const b = await ask(uncounted, "/projects/7/pipelines/5/jobs?per_page=100", {
      token: MAINTAINER,
    });
    assert.equal(b.headers.get("x-total"), null);
    assert.equal(b.headers.get("x-total-pages"), null);
    assert.equal(b.headers.get("x-next-page"), "2");
  });

  test("retried attempts are hidden unless include_retried; the newest attempt has the highest id", async (t) => {
    const sim = await simulate(
      t,
      project([
        {
          id: 5,
          jobs: [
            { id: 10, name: "build", status: "failed", retried: true },
            { id: 11, name: "build", status: "failed", retried: true },
            { id: 12, name: "build" },
            { id: 13, name: "test" },
          ],
        },
      ]),
    );
    const latest = await ask(sim, "/projects/7/pipelines/5/jobs", { token: MAINTAINER });
    assert.deepEqual(ids(latest.json), [13, 12]);
    const all = await ask(sim, "/projects/7/pipelines/5/jobs?include_retried=true", {
      token: MAINTAINER,
    });
    assert.deepEqual(ids(all.json), [13, 12, 11, 10]);
    assert.ok(
      (all.json as object[]).every((job) => !("retried" in job)),
      "the job entity has no retried field",
    );
    const yes = await ask(sim, "/projects/7/pipelines/5/jobs?include_retried=yes", {
      token: MAINTAINER,
    });
    assert.match(
      yes.headers.get("link") ?? "",
      /\?id=7&include_retried=true&page=1&/,
      "Link carries the coerced value",
    );
    const bad = await ask(sim, "/projects/7/pipelines/5/jobs?include_retried=maybe", {
      token: MAINTAINER,
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { error: "include_retried is invalid" });
  });

  test("scope filters by status, as a string or an array; unknown statuses are refused", async (t) => {
    const statuses = ["success", "failed", "running", "manual", "canceled"] as const;
    const sim = await simulate(
      t,
      project([{ id: 5, jobs: jobs(5, (i) => ({ status: statuses[i] })) }]),
    );
    const one = await ask(sim, "/projects/7/pipelines/5/jobs?scope=running", { token: MAINTAINER });
    assert.deepEqual(names(one.json), ["job 3"]);
    const two = await ask(sim, "/projects/7/pipelines/5/jobs?scope[]=success&scope[]=failed", {
      token: MAINTAINER,
    });
    assert.deepEqual(names(two.json), ["job 2", "job 1"]);
    const bad = await ask(sim, "/projects/7/pipelines/5/jobs?scope=done", { token: MAINTAINER });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { error: "scope does not have a valid value" });
    const both = await ask(sim, "/projects/7/pipelines/5/jobs?scope=done&per_page=0", {
      token: MAINTAINER,
    });
    assert.deepEqual(both.json, {
      error: "scope does not have a valid value, per_page has a value not allowed",
    });
  });

  test("trigger jobs never appear among jobs; parallel and matrix names come as GitLab writes them", async (t) => {
    const sim = await simulate(t);
    const r = await ask(sim, "/projects/42/pipelines/500/jobs?per_page=100", { token: MAINTAINER });
    const got = names(r.json);
    assert.ok(!got.includes("child"));
    for (const name of ["test 1/2", "test 2/2", "package: [linux, amd64]"])
      assert.ok(got.includes(name), name);
  });

  test("an unknown pipeline is 404 Not found (lower-case f); a bad id is 400", async (t) => {
    const sim = await simulate(t);
    const missing = await ask(sim, "/projects/42/pipelines/999/jobs", { token: MAINTAINER });
    assert.equal(missing.status, 404);
    assert.equal(missing.text, '{"message":"404 Not found"}');
    const bad = await ask(sim, "/projects/42/pipelines/abc/jobs", { token: MAINTAINER });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { error: "pipeline_id is invalid" });
  });

  test("the project may be named by its URL-encoded path", async (t) => {
    const sim = await simulate(t);
    const r = await ask(sim, "/projects/demo%2Fapp/pipelines/500/jobs?per_page=1", {
      token: MAINTAINER,
    });
    assert.equal(r.status, 200);
    assert.match(
      r.headers.get("link") ?? "",
      /\/projects\/demo%2Fapp\/pipelines\/500\/jobs\?id=demo%2Fapp&/,
    );
  });
});

describe("trigger jobs", () => {
  test("bridges carry downstream_pipeline, or null before the child exists", async (t) => {
    const sim = await simulate(
      t,
      project([
        {
          id: 5,
          jobs: [{ id: 1, name: "a" }],
          bridges: [
            { id: 2, name: "child", downstream: 6 },
            { id: 3, name: "later", status: "created" },
          ],
        },
        { id: 6, jobs: [{ id: 4, name: "inner" }] },
      ]),
    );
    const r = await ask(sim, "/projects/7/pipelines/5/bridges", { token: MAINTAINER });
    const body = r.json as {
      id: number;
      downstream_pipeline: { id: number; project_id: number } | null;
    }[];
    assert.deepEqual(
      body.map((b) => b.id),
      [3, 2],
    );
    assert.equal(body[0]?.downstream_pipeline, null);
    assert.equal(body[1]?.downstream_pipeline?.id, 6);
    assert.equal(r.headers.get("x-total"), "2");
    const child = await ask(sim, "/projects/7/pipelines/6", { token: MAINTAINER });
    assert.equal((child.json as { source: string }).source, "parent_pipeline");
  });

  test("trigger_jobs is the same list on the newest GitLab and an unknown route on older ones", async (t) => {
    const spec = (profile: "newest" | "recent") =>
      project([{ id: 5, bridges: [{ id: 2, name: "child" }] }], { profile });
    const newest = await simulate(t, spec("newest"));
    const a = await ask(newest, "/projects/7/pipelines/5/trigger_jobs", { token: MAINTAINER });
    assert.deepEqual(ids(a.json), [2]);
    const recent = await simulate(t, spec("recent"));
    const b = await ask(recent, "/projects/7/pipelines/5/trigger_jobs", { token: MAINTAINER });
    assert.equal(b.status, 404);
    assert.equal(b.text, '{"error":"404 Not Found"}');
  });
});

describe("GET /projects/:id/pipelines/:pipeline_id", () => {
  test("status is derived from the jobs and changes with the clock", async (t) => {
    const sim = await simulate(
      t,
      project([
        {
          id: 5,
          jobs: [
            { id: 1, name: "build" },
            { id: 2, name: "slow", status: "running", timeline: [{ at: 30, status: "success" }] },
          ],
        },
      ]),
    );
    const before = await ask(sim, "/projects/7/pipelines/5", { token: MAINTAINER });
    assert.equal((before.json as { status: string }).status, "running");
    const job = await ask(sim, "/projects/7/pipelines/5/jobs?scope=running", { token: MAINTAINER });
    assert.deepEqual(names(job.json), ["slow"]);
    sim.clock.advance(30_000);
    const after = await ask(sim, "/projects/7/pipelines/5", { token: MAINTAINER });
    const p = after.json as { status: string; finished_at: string | null };
    assert.equal(p.status, "success");
    assert.equal(p.finished_at, "2026-11-01T12:00:30.000Z");
  });
});

describe("GET /projects/:id/pipelines", () => {
  const scenario = project([
    { id: 1, jobs: [{ id: 10, name: "a" }] },
    { id: 2, jobs: [{ id: 20, name: "a" }], bridges: [{ id: 21, name: "child", downstream: 3 }] },
    { id: 3, jobs: [{ id: 30, name: "a" }] },
    { id: 4, jobs: [{ id: 40, name: "a", status: "failed" }] },
    { id: 5, ref: "v1.0", tag: true, jobs: [{ id: 50, name: "a" }] },
    { id: 6, source: "webide", jobs: [{ id: 60, name: "a" }] },
    { id: 7, jobs: [{ id: 70, name: "a", status: "running" }] },
  ]);
  const list = async (sim: Awaited<ReturnType<typeof simulate>>, query: string) =>
    ask(sim, `/projects/7/pipelines${query}`, { token: MAINTAINER });

  test("newest first, never child pipelines unless source asks for them; filters by ref and status", async (t) => {
    const sim = await simulate(t, scenario);
    const all = await list(sim, "");
    assert.deepEqual(ids(all.json), [7, 6, 5, 4, 2, 1]);
    assert.equal(all.headers.get("x-total"), "6");
    const first = (all.json as Record<string, unknown>[])[0];
    assert.deepEqual(Object.keys(first ?? {}), [
      "id",
      "iid",
      "project_id",
      "sha",
      "ref",
      "status",
      "source",
      "created_at",
      "updated_at",
      "web_url",
      "name",
    ]);
    // The web IDE pipeline is listed, though GitLab's ref lookup skips it.
    const newest = await list(sim, "?ref=main&status=success&order_by=id&sort=desc&per_page=1");
    assert.deepEqual(ids(newest.json), [6]);
    assert.equal(newest.headers.get("x-total-pages"), "3");
    assert.match(
      newest.headers.get("link") ?? "",
      /order_by=id&page=2&per_page=1&ref=main&sort=desc&status=success>; rel="next"/,
    );
    assert.deepEqual(ids((await list(sim, "?ref=v1.0")).json), [5]);
    assert.deepEqual(ids((await list(sim, "?source=parent_pipeline")).json), [3]);
    assert.deepEqual(ids((await list(sim, "?scope=finished&sort=asc")).json), [1, 2, 4, 5, 6]);
    assert.deepEqual(ids((await list(sim, "?scope=tags")).json), [5]);
    assert.deepEqual(ids((await list(sim, "?status=running")).json), [7]);
  });

  test("parameters are validated as Grape does; a guest is refused", async (t) => {
    const sim = await simulate(t, {
      ...scenario,
      tokens: [
        { token: MAINTAINER, type: "personal" },
        { token: "glpat-guest", type: "personal", role: "guest" },
      ],
    });
    for (const [query, error] of [
      ["?status=done", "status does not have a valid value"],
      [
        "?order_by=name&sort=up",
        "order_by does not have a valid value, sort does not have a valid value",
      ],
      ["?source=nowhere", "source does not have a valid value"],
      ["?per_page=0", "per_page has a value not allowed"],
    ]) {
      const r = await list(sim, query ?? "");
      assert.equal(r.status, 400, query);
      assert.equal(r.text, JSON.stringify({ error }), query);
    }
    const guest = await ask(sim, "/projects/7/pipelines", { token: "glpat-guest" });
    assert.equal(guest.status, 403);
    assert.equal(guest.text, '{"message":"403 Forbidden"}');
  });
});

test("unknown routes answer GitLab's catch-all 404 with an error key", async (t) => {
  const sim = await simulate(t);
  const r = await ask(sim, "/projects/42/nothing-here", { token: MAINTAINER });
  assert.equal(r.status, 404);
  assert.equal(r.text, '{"error":"404 Not Found"}');
  assert.equal(r.headers.get("content-type"), "application/json");
});
