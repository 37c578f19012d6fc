/**
 * Fault injection, seen from a client over real HTTP: each fault kind, the rule filters, and
 * what the request log records about faulted requests.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
} from "node:http";
import { test } from "node:test";
import { ask, JOB_TOKEN, MAINTAINER, nextRequest, simulate } from "../support/sim.ts";
import type { Simulator } from "./index.ts";

/** Credentials for node:http requests, and for ask(). */
const AUTH = { "PRIVATE-TOKEN": MAINTAINER };
const AUTH_ASK = { token: MAINTAINER };
const PIPELINE = "/projects/42/pipelines/500";
const JOBS = `${PIPELINE}/jobs`;
/** Job 1001's archive: about 1 MiB, local storage (ranges served by GitLab itself). */
const BIG = 1001;
const archivePath = (job: number) => `/projects/42/jobs/${job}/artifacts`;
const archiveUrl = (sim: Simulator, job: number) => `${sim.apiUrl}${archivePath(job)}`;
const archiveBytes = (sim: Simulator, job: number) => {
  const archive = sim.archiveOf(job);
  assert.ok(archive, `job ${job} has an archive`);
  return readFileSync(archive.file);
};

interface RawAnswer {
  /** 0 when the connection failed before the status line. */
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The socket error or premature close that ended the answer, if any. */
  error?: NodeJS.ErrnoException;
}

/** A request over node:http, on a fresh connection, that reports how the answer ended. */
function rawGet(
  url: string,
  headers: OutgoingHttpHeaders = {},
  method = "GET",
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let res: IncomingMessage | undefined;
    let settled = false;
    const settle = (error?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      resolve({
        status: res?.statusCode ?? 0,
        headers: res?.headers ?? {},
        body: Buffer.concat(chunks),
        ...(error ? { error } : {}),
      });
    };
    const req = request(url, { method, headers, agent: false }, (r) => {
      res = r;
      r.on("data", (chunk: Buffer) => chunks.push(chunk));
      r.on("end", () => settle());
      r.on("error", settle);
    });
    req.on("error", settle);
    req.end();
  });
}

/** Offsets at which two buffers of the same length differ. */
function differences(a: Buffer, b: Buffer): number[] {
  assert.equal(a.length, b.length);
  const at: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) at.push(i);
  return at;
}

// ---- latency and throughput: lower bounds only ----------------------------------------------

test("latency delays the answer by at least its ms", async (t) => {
  const sim = await simulate(t);
  const ms = 250;
  sim.inject({ route: "pipeline-jobs", kind: "latency", ms, times: 1 });
  const started = performance.now();
  const res = await ask(sim, JOBS, AUTH_ASK);
  const elapsed = performance.now() - started;
  assert.equal(res.status, 200);
  // Node's timers may round a millisecond down; allow for it, never for less.
  assert.ok(elapsed >= ms - 2, `answered after ${elapsed.toFixed(1)} ms, expected >= ${ms} ms`);
});

test("throughput caps the body rate: 256 KiB at 1 MiB/s takes at least ~200 ms", async (t) => {
  const sim = await simulate(t);
  const size = 256 * 1024;
  sim.inject({ route: "archive", kind: "throughput", bytesPerSecond: 1024 * 1024, times: 1 });
  const logged = nextRequest(sim);
  const started = performance.now();
  const res = await rawGet(archiveUrl(sim, BIG), { ...AUTH, Range: `bytes=0-${size - 1}` });
  const elapsed = performance.now() - started;
  assert.equal(res.status, 206);
  assert.equal(res.body.length, size);
  assert.ok(elapsed >= 200, `256 KiB took ${elapsed.toFixed(1)} ms, expected >= ~250 ms`);
  const entry = await logged;
  assert.deepEqual(entry.faults, ["throughput"]);
  assert.equal(entry.outcome, "complete");
  assert.equal(entry.bytes, size);
});

// ---- answers replaced: 5xx and rate limits -------------------------------------------------

test("status: a burst of two 500s, then the real answer", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "pipeline-jobs", kind: "status", status: 500, times: 2 });
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await ask(sim, JOBS, AUTH_ASK));
  assert.deepEqual(
    answers.map((a) => a.status),
    [500, 500, 200],
  );
  for (const a of answers.slice(0, 2)) {
    assert.equal(a.headers.get("content-type"), "application/json");
    assert.equal(a.text, '{"message":"500 Internal Server Error"}');
  }
  assert.ok(Array.isArray(answers[2]?.json));
});

test("status: skip lets the first matching requests through, counting only matches", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "pipeline-jobs", kind: "status", status: 500, skip: 1, times: 1 });
  const statuses = [];
  statuses.push((await ask(sim, JOBS, AUTH_ASK)).status);
  // A request the rule does not match does not count against skip or times.
  assert.equal((await ask(sim, PIPELINE, AUTH_ASK)).status, 200);
  statuses.push((await ask(sim, JOBS, AUTH_ASK)).status);
  statuses.push((await ask(sim, JOBS, AUTH_ASK)).status);
  assert.deepEqual(statuses, [200, 500, 200]);
});

test("status 500: GitLab answers JSON, the object store answers S3 XML", async (t) => {
  const sim = await simulate(t);
  sim.inject({ kind: "status", status: 500, times: 1 });
  const gitlab = await ask(sim, archivePath(1004), AUTH_ASK);
  assert.equal(gitlab.status, 500);
  assert.equal(gitlab.headers.get("content-type"), "application/json");
  assert.deepEqual(gitlab.json, { message: "500 Internal Server Error" });

  const redirect = await ask(sim, archivePath(1004), AUTH_ASK);
  assert.equal(redirect.status, 302);
  const location = redirect.headers.get("location") ?? "";
  sim.inject({ origin: "storage", kind: "status", status: 500, times: 1 });
  sim.inject({ origin: "storage", kind: "status", status: 503, skip: 1, times: 1 });
  const internal = await ask(sim, location);
  assert.equal(internal.status, 500);
  assert.equal(internal.headers.get("content-type"), "application/xml");
  assert.match(internal.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>/);
  assert.match(internal.text, /<Code>InternalError<\/Code>/);
  assert.doesNotMatch(internal.text, /Internal Server Error"/);
  const slowDown = await ask(sim, location);
  assert.equal(slowDown.status, 503);
  assert.match(
    slowDown.text,
    /<Code>SlowDown<\/Code><Message>Please reduce your request rate\.<\/Message>/,
  );
  assert.equal((await ask(sim, location)).status, 200);
});

test("rate-limit: 429 'Retry later' with Retry-After and consistent RateLimit-* headers", async (t) => {
  const sim = await simulate(t);
  // Off the minute boundary, so the default Retry-After is the rest of Rack::Attack's window.
  sim.clock.advance(17_250);
  const nowS = Math.floor(sim.clock.now() / 1000);
  sim.inject({ route: "pipeline-jobs", kind: "rate-limit", times: 1 });
  sim.inject({ route: "pipeline-jobs", kind: "rate-limit", retryAfter: 7, limit: 120, skip: 1 });

  const res = await ask(sim, JOBS, AUTH_ASK);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("content-type"), "text/plain");
  assert.equal(res.text, "Retry later\n");
  const h = (name: string) => res.headers.get(name);
  for (const name of [
    "retry-after",
    "ratelimit-name",
    "ratelimit-limit",
    "ratelimit-observed",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit-resettime",
  ])
    assert.ok(h(name), `${name} is present`);
  const retryAfter = Number(h("retry-after"));
  assert.equal(retryAfter, 60 - (nowS % 60));
  assert.equal(Number(h("ratelimit-reset")), nowS + retryAfter);
  assert.equal(h("ratelimit-resettime"), new Date((nowS + retryAfter) * 1000).toUTCString());
  assert.equal(h("ratelimit-remaining"), "0");
  assert.equal(h("ratelimit-limit"), "600");
  assert.ok(Number(h("ratelimit-observed")) > Number(h("ratelimit-limit")));

  const custom = await ask(sim, JOBS, AUTH_ASK);
  assert.equal(custom.status, 429);
  assert.equal(custom.headers.get("retry-after"), "7");
  assert.equal(custom.headers.get("ratelimit-limit"), "120");
  assert.equal(Number(custom.headers.get("ratelimit-reset")), nowS + 7);
  assert.equal(
    custom.headers.get("ratelimit-resettime"),
    new Date((nowS + 7) * 1000).toUTCString(),
  );
});

test("rate-limit resetOnly: no Retry-After, RateLimit-Reset still says when", async (t) => {
  const sim = await simulate(t);
  const nowS = Math.floor(sim.clock.now() / 1000);
  sim.inject({ route: "pipeline-jobs", kind: "rate-limit", retryAfter: 3, resetOnly: true });
  const res = await ask(sim, JOBS, AUTH_ASK);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), null);
  assert.equal(Number(res.headers.get("ratelimit-reset")), nowS + 3);
  assert.equal(Date.parse(res.headers.get("date") ?? "") / 1000, nowS);
});

test("app-rate-limit: 429 JSON message and no Retry-After", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "archive", kind: "app-rate-limit", times: 1 });
  const res = await ask(sim, archivePath(1002), AUTH_ASK);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(
    res.text,
    '{"message":{"error":"This endpoint has been requested too many times. Try again later."}}',
  );
  assert.equal(res.headers.get("retry-after"), null);
  assert.equal(res.headers.get("ratelimit-reset"), null);
  assert.equal((await ask(sim, archivePath(1002), AUTH_ASK)).status, 200);
});

// ---- body faults ------------------------------------------------------------------------------

test("reset: the connection is reset before the end of the body", async (t) => {
  const sim = await simulate(t);
  const n = 100_003;
  sim.inject({ route: "archive", kind: "reset", afterBytes: n, times: 1 });
  const logged = nextRequest(sim);
  const res = await rawGet(archiveUrl(sim, BIG), AUTH);
  assert.equal(res.status, 200);
  assert.equal(res.error?.code, "ECONNRESET");
  assert.ok(res.body.length <= n, `received ${res.body.length} bytes, more than ${n}`);
  assert.ok(res.body.length < Number(res.headers["content-length"]));
  // What did arrive is the archive's beginning.
  assert.ok(res.body.equals(archiveBytes(sim, BIG).subarray(0, res.body.length)));
  const entry = await logged;
  assert.equal(entry.outcome, "reset");
  assert.deepEqual(entry.faults, ["reset"]);
  assert.equal(entry.bytes, n);
});

test(
  "reset after N bytes: the client receives exactly N body bytes, then a socket error",
  {},
  async (t) => {
    const sim = await simulate(t);
    for (const n of [100_003, 1000]) {
      sim.inject({ route: "archive", kind: "reset", afterBytes: n, times: 1 });
      const res = await rawGet(archiveUrl(sim, BIG), AUTH);
      assert.equal(res.error?.code, "ECONNRESET");
      assert.equal(res.status, 200, `afterBytes ${n}: status line received`);
      assert.equal(res.body.length, n, `afterBytes ${n}: body bytes received`);
    }
  },
);

test("stall after N bytes: exactly N bytes arrive and the answer never ends", async (t) => {
  const sim = await simulate(t);
  const n = 50_000;
  sim.inject({ route: "archive", kind: "stall", afterBytes: n, times: 1 });
  const controller = new AbortController();
  const seen = await new Promise<{ res: IncomingMessage; received: number; ended: () => boolean }>(
    (resolve, reject) => {
      const req = request(
        archiveUrl(sim, BIG),
        { headers: AUTH, agent: false, signal: controller.signal },
        (res) => {
          let received = 0;
          let ended = false;
          res.on("end", () => {
            ended = true;
          });
          res.on("error", () => {});
          res.on("data", (chunk: Buffer) => {
            received += chunk.length;
            if (received >= n) resolve({ res, received, ended: () => ended });
          });
        },
      );
      req.on("error", (e) => {
        if (e.name !== "AbortError") reject(e);
      });
      req.end();
    },
  );
  assert.equal(seen.received, n);
  assert.ok(Number(seen.res.headers["content-length"]) > n);
  // The server has given up sending: the log says so while the connection is still open.
  const entry = sim.log.find({ route: "archive" }).at(-1);
  assert.equal(entry?.outcome, "stall");
  assert.equal(entry?.bytes, n);
  assert.deepEqual(entry?.faults, ["stall"]);
  assert.equal(seen.ended(), false);
  assert.equal(seen.res.complete, false);

  const closed = new Promise((resolve) => seen.res.once("close", resolve));
  controller.abort();
  await closed;
  assert.equal(seen.ended(), false, "a stalled answer ends only by the client giving up");
});

test("truncate: fewer bytes than Content-Length, then a premature close", async (t) => {
  const sim = await simulate(t);
  const n = 100_003;
  sim.inject({ route: "archive", kind: "truncate", afterBytes: n, times: 1 });
  const logged = nextRequest(sim);
  const res = await rawGet(archiveUrl(sim, BIG), AUTH);
  assert.equal(res.status, 200);
  const length = Number(res.headers["content-length"]);
  assert.equal(length, sim.archiveOf(BIG)?.size);
  assert.equal(res.body.length, n);
  assert.ok(res.body.length < length);
  assert.ok(res.body.equals(archiveBytes(sim, BIG).subarray(0, n)));
  assert.ok(res.error, "the client is told the body was cut short");
  assert.match(`${res.error.code} ${res.error.message}`, /aborted|premature|ECONNRESET/i);
  const entry = await logged;
  assert.equal(entry.outcome, "truncate");
  assert.equal(entry.bytes, n);

  // fetch sees it too: the body stream fails instead of ending.
  sim.inject({ route: "archive", kind: "truncate", afterBytes: n, times: 1 });
  const viaFetch = await fetch(archiveUrl(sim, BIG), { headers: AUTH });
  await assert.rejects(viaFetch.arrayBuffer());
});

test("corrupt at byte K: exactly one byte differs from an unfaulted download", async (t) => {
  const sim = await simulate(t);
  const k = 700_001;
  const cleanLogged = nextRequest(sim);
  const clean = await rawGet(archiveUrl(sim, BIG), AUTH);
  assert.equal(clean.error, undefined);
  assert.deepEqual((await cleanLogged).faults, []);
  assert.ok(clean.body.equals(archiveBytes(sim, BIG)));

  sim.inject({ route: "archive", kind: "corrupt", atByte: k, times: 1 });
  const logged = nextRequest(sim);
  const bad = await rawGet(archiveUrl(sim, BIG), AUTH);
  assert.equal(bad.status, 200);
  assert.equal(bad.error, undefined);
  assert.deepEqual(differences(clean.body, bad.body), [k]);
  assert.equal(bad.body[k], (clean.body[k] ?? 0) ^ 0xff);
  const entry = await logged;
  assert.deepEqual(entry.faults, ["corrupt"]);
  assert.equal(entry.outcome, "complete");
  assert.equal(entry.bytes, clean.body.length);
});

test("ignore-range: a Range is asked, the whole body is answered with 200", async (t) => {
  const sim = await simulate(t);
  const whole = archiveBytes(sim, BIG);
  const rangedLogged = nextRequest(sim);
  const ranged = await rawGet(archiveUrl(sim, BIG), { ...AUTH, Range: "bytes=100-199" });
  assert.equal(ranged.status, 206);
  assert.ok(ranged.body.equals(whole.subarray(100, 200)));
  assert.deepEqual((await rangedLogged).faults, []);

  sim.inject({ route: "archive", kind: "ignore-range", times: 1 });
  const logged = nextRequest(sim);
  const res = await rawGet(archiveUrl(sim, BIG), { ...AUTH, Range: "bytes=100-199" });
  assert.equal(res.status, 200);
  assert.equal(res.headers["content-range"], undefined);
  assert.equal(Number(res.headers["content-length"]), whole.length);
  assert.ok(res.body.equals(whole));
  const entry = await logged;
  assert.equal(entry.range, "bytes=100-199");
  assert.deepEqual(entry.faults, ["ignore-range"]);
});

// ---- filters ----------------------------------------------------------------------------------

test("filter by route: only that route is faulted", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "archive", kind: "status", status: 503 });
  assert.equal((await ask(sim, JOBS, AUTH_ASK)).status, 200);
  assert.equal((await ask(sim, `${archivePath(1002)}/reports/junit-1.xml`, AUTH_ASK)).status, 200);
  const res = await ask(sim, archivePath(1002), AUTH_ASK);
  assert.equal(res.status, 503);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
});

test("filter by origin: a storage fault leaves GitLab alone", async (t) => {
  const sim = await simulate(t);
  sim.inject({ origin: "storage", kind: "status", status: 500 });
  const redirect = await ask(sim, archivePath(1004), AUTH_ASK);
  assert.equal(redirect.status, 302);
  assert.equal((await ask(sim, JOBS, AUTH_ASK)).status, 200);
  const logged = nextRequest(sim, (e) => e.origin === "storage");
  const stored = await ask(sim, redirect.headers.get("location") ?? "");
  await logged;
  assert.equal(stored.status, 500);
  assert.match(stored.text, /<Code>InternalError<\/Code>/);
  assert.deepEqual(
    sim.log.entries.map((e) => [e.origin, e.faults]),
    [
      ["gitlab", []],
      ["gitlab", []],
      ["storage", ["status"]],
    ],
  );
});

test("filter by method: HEAD is faulted, GET of the same route is not", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "archive", method: "head", kind: "status", status: 500 });
  assert.equal((await ask(sim, archivePath(1002), AUTH_ASK)).status, 200);
  assert.equal((await rawGet(archiveUrl(sim, 1002), AUTH, "HEAD")).status, 500);
});

test("filter by path string: that exact path, whatever the query", async (t) => {
  const sim = await simulate(t);
  sim.inject({ path: `/api/v4${archivePath(1002)}`, kind: "status", status: 500 });
  assert.equal((await ask(sim, archivePath(1003), AUTH_ASK)).status, 200);
  assert.equal((await ask(sim, `${archivePath(1002)}/reports/junit-1.xml`, AUTH_ASK)).status, 200);
  assert.equal((await ask(sim, archivePath(1002), AUTH_ASK)).status, 500);
  assert.equal((await ask(sim, `${archivePath(1002)}?x=1`, AUTH_ASK)).status, 500);
});

test("filter by path RegExp", async (t) => {
  const sim = await simulate(t);
  sim.inject({ path: /\/jobs\/100[23]\/artifacts$/, kind: "status", status: 500 });
  assert.equal((await ask(sim, archivePath(1002), AUTH_ASK)).status, 500);
  assert.equal((await ask(sim, archivePath(1003), AUTH_ASK)).status, 500);
  assert.equal((await ask(sim, archivePath(1010), AUTH_ASK)).status, 200);
  assert.equal((await ask(sim, `${archivePath(1002)}/reports/junit-1.xml`, AUTH_ASK)).status, 200);
});

test("filter by query: each parameter by value or pattern; a request without it is not matched", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "pipeline-jobs", query: { page: /^[23]$/ }, kind: "status", status: 500 });
  sim.inject({ route: "pipeline-jobs", query: { scope: "failed" }, kind: "status", status: 503 });
  assert.equal((await ask(sim, `${JOBS}?page=1`, AUTH_ASK)).status, 200);
  assert.equal((await ask(sim, `${JOBS}?page=2`, AUTH_ASK)).status, 500);
  assert.equal((await ask(sim, `${JOBS}?per_page=5&page=3`, AUTH_ASK)).status, 500);
  assert.equal((await ask(sim, `${JOBS}?page=23`, AUTH_ASK)).status, 200);
  assert.equal((await ask(sim, JOBS, AUTH_ASK)).status, 200);
  assert.equal((await ask(sim, `${JOBS}?scope=failed`, AUTH_ASK)).status, 503);
  assert.equal((await ask(sim, `${JOBS}?scope=success`, AUTH_ASK)).status, 200);
});

// ---- the request log --------------------------------------------------------------------------

test("the log records faults, outcome and bytes, with tokens redacted", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "archive", kind: "latency", ms: 1, times: 1 });
  sim.inject({ route: "archive", kind: "corrupt", atByte: 3, times: 1 });
  const first = nextRequest(sim);
  const res = await rawGet(archiveUrl(sim, 1002), AUTH);
  assert.equal(res.status, 200);
  const entry = await first;
  assert.equal(entry.origin, "gitlab");
  assert.equal(entry.route, "archive");
  assert.equal(entry.method, "GET");
  assert.equal(entry.path, `/api/v4${archivePath(1002)}`);
  assert.equal(entry.status, 200);
  assert.deepEqual(entry.faults, ["latency", "corrupt"]);
  assert.equal(entry.outcome, "complete");
  assert.equal(entry.bytes, res.body.length);
  assert.equal(entry.headers["private-token"], "[REDACTED]");

  const second = nextRequest(sim);
  const byQuery = await rawGet(`${archiveUrl(sim, 1002)}?job_token=${JOB_TOKEN}`, {
    "JOB-TOKEN": JOB_TOKEN,
    Authorization: `Bearer ${MAINTAINER}`,
  });
  assert.equal(byQuery.status, 200);
  const logged = await second;
  assert.deepEqual(logged.faults, []);
  assert.equal(logged.query.job_token, "[REDACTED]");
  assert.equal(logged.headers["job-token"], "[REDACTED]");
  assert.equal(logged.headers.authorization, "[REDACTED]");
  for (const e of sim.log.entries)
    for (const token of sim.world.tokens.keys())
      assert.ok(!JSON.stringify(e).includes(token), `log entry ${e.seq} shows a token`);
});

test("the log redacts a job token passed as ?token=", {}, async (t) => {
  const sim = await simulate(t);
  const logged = nextRequest(sim);
  const res = await rawGet(`${archiveUrl(sim, 1002)}?token=${JOB_TOKEN}`);
  assert.equal(res.status, 200, "GitLab accepts ?token= as a job token");
  const entry = await logged;
  assert.ok(
    !JSON.stringify(entry).includes(JOB_TOKEN),
    `logged query: ${JSON.stringify(entry.query)}`,
  );
});

test(
  "a streamed download is in the log by the time the client has read its body",
  {},
  async (t) => {
    const sim = await simulate(t);
    for (let i = 1; i <= 20; i++) {
      const res = await ask(sim, archivePath(BIG), AUTH_ASK);
      assert.equal(res.status, 200);
      assert.equal(sim.log.find({ route: "archive" }).length, i, `download ${i} is logged`);
    }
  },
);

test("filter by job: GitLab paths naming that job, and that job's object in the store", async (t) => {
  const sim = await simulate(t);
  sim.inject({ job: 1002, kind: "status", status: 503 });
  sim.inject({ origin: "storage", job: 1004, kind: "status", status: 404 });
  assert.equal((await ask(sim, archivePath(1002), AUTH_ASK)).status, 503);
  assert.equal((await ask(sim, `${archivePath(1002)}/reports/junit-1.xml`, AUTH_ASK)).status, 503);
  assert.equal((await ask(sim, archivePath(1001), AUTH_ASK)).status, 200);
  assert.equal((await ask(sim, JOBS, AUTH_ASK)).status, 200);
  const redirect = await ask(sim, archivePath(1004), AUTH_ASK);
  assert.equal(redirect.status, 302);
  const missing = await ask(sim, redirect.headers.get("location") ?? "");
  assert.equal(missing.status, 404);
  assert.match(missing.text, /<Code>NoSuchKey<\/Code>/);
  // The proxied job's object is another object.
  assert.equal((await ask(sim, archivePath(1005), AUTH_ASK)).status, 200);
});

test("barrier: matching requests are held until `count` of them have arrived", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "archive", kind: "barrier", count: 2 });
  let answered = false;
  const first = rawGet(archiveUrl(sim, 1002), AUTH).then((r) => {
    answered = true;
    return r;
  });
  // A request the barrier does not match goes through meanwhile; the first one is still held.
  assert.equal((await ask(sim, JOBS, AUTH_ASK)).status, 200);
  assert.equal(answered, false);
  const second = await rawGet(archiveUrl(sim, 1003), AUTH);
  assert.deepEqual([(await first).status, second.status], [200, 200]);
});
