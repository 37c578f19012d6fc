/**
 * The object-storage origin over real HTTP: GitLab's redirect to a signed URL, downloads and
 * ranges on that URL, expiry and signature checks, the leak detector, and proxy downloads.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
} from "node:http";
import { type TestContext, test } from "node:test";
import {
  ask,
  DEVELOPER,
  JOB_TOKEN,
  MAINTAINER,
  nextRequest,
  SAMPLE,
  simulate,
} from "../support/sim.ts";
import type { Simulator } from "./index.ts";
import type { LoggedRequest } from "./log.ts";
import { loadScenarioFile } from "./scenario.ts";

/** Job 1004: artifacts in object storage, downloaded directly (302 to a signed URL). */
const DIRECT = 1004;
/** Job 1005: artifacts in object storage, proxied through GitLab. */
const PROXIED = 1005;
const TTL_S = 900;
const archivePath = (job: number) => `/projects/42/jobs/${job}/artifacts`;

function archiveOf(sim: Simulator, job: number) {
  const archive = sim.archiveOf(job);
  assert.ok(archive, `job ${job} has an archive`);
  return { ...archive, bytes: readFileSync(archive.file) };
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

const fromStore = (e: LoggedRequest) => e.origin === "storage";

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  error?: Error;
}

/** A request over node:http with exactly these headers (besides Host and Connection). */
function raw(
  url: string,
  headers: OutgoingHttpHeaders = {},
  options: { method?: string; signal?: AbortSignal } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let res: IncomingMessage | undefined;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      resolve({
        status: res?.statusCode ?? 0,
        headers: res?.headers ?? {},
        body: Buffer.concat(chunks),
        ...(error ? { error } : {}),
      });
    };
    const req = request(url, { ...options, headers, agent: false }, (r) => {
      res = r;
      r.on("data", (chunk: Buffer) => chunks.push(chunk));
      r.on("end", () => settle());
      r.on("error", settle);
    });
    req.on("error", settle);
    req.end();
  });
}

/** The signed URL GitLab redirects a download of this job's archive to. */
async function signedUrl(sim: Simulator, job = DIRECT): Promise<string> {
  const res = await ask(sim, archivePath(job), { token: MAINTAINER });
  assert.equal(res.status, 302);
  const location = res.headers.get("location");
  assert.ok(location, "the redirect has a Location");
  return location;
}

/** A test that must not send any GitLab credential to the object store. */
function clean(name: string, body: (t: TestContext, sim: Simulator) => Promise<void>) {
  test(name, async (t) => {
    const sim = await simulate(t);
    await body(t, sim);
    assert.deepEqual(sim.log.leaks, []);
  });
}

// ---- direct download: the redirect and the signed URL -----------------------------------------

clean(
  "object storage: GET answers 302, HEAD 303, to a signed URL on the store",
  async (_t, sim) => {
    const get = await ask(sim, archivePath(DIRECT), { token: MAINTAINER });
    assert.equal(get.status, 302);
    const location = get.headers.get("location") ?? "";
    assert.ok(location.startsWith(`${sim.storageUrl}/`), location);
    assert.equal(get.text, `This resource has been moved temporarily to ${location}.`);
    const params = new URL(location).searchParams;
    assert.equal(params.get("X-Amz-Expires"), String(TTL_S));
    assert.match(params.get("X-Amz-Signature") ?? "", /^[0-9a-f]{64}$/);

    const head = await raw(
      `${sim.apiUrl}${archivePath(DIRECT)}`,
      { "JOB-TOKEN": JOB_TOKEN },
      {
        method: "HEAD",
      },
    );
    assert.equal(head.status, 303);
    assert.ok(String(head.headers.location).startsWith(`${sim.storageUrl}/`));
    assert.equal(head.body.length, 0);
    // GitLab hands out the URL; the store is not asked anything yet.
    assert.deepEqual(sim.log.entries.filter(fromStore), []);
  },
);

clean(
  "the signed URL, without any GitLab header, downloads the archive byte for byte",
  async (_t, sim) => {
    const archive = archiveOf(sim, DIRECT);
    const url = await signedUrl(sim);
    const logged = nextRequest(sim, fromStore);
    const res = await raw(url);
    assert.equal(res.status, 200);
    assert.equal(res.error, undefined);
    assert.ok(res.body.equals(archive.bytes));
    assert.equal(sha256(res.body), archive.sha256);
    assert.equal(sha256(archive.bytes), archive.sha256);
    assert.equal(Number(res.headers["content-length"]), archive.size);
    assert.equal(res.headers["content-type"], "application/octet-stream");
    assert.match(
      String(res.headers["content-disposition"]),
      /^attachment; filename="artifacts\.zip"/,
    );
    assert.equal(res.headers["accept-ranges"], "bytes");
    assert.ok(res.headers.etag);
    assert.ok(res.headers["last-modified"]);

    const entry = await logged;
    assert.equal(entry.route, "object");
    assert.equal(entry.status, 200);
    assert.equal(entry.outcome, "complete");
    assert.equal(entry.bytes, archive.size);
    assert.equal(entry.leakedCredential, undefined);
  },
);

clean("Range on the signed URL: 206 with Content-Range", async (_t, sim) => {
  const { bytes, size } = archiveOf(sim, DIRECT);
  const url = await signedUrl(sim);
  const mid = await raw(url, { Range: "bytes=100-1099" });
  assert.equal(mid.status, 206);
  assert.equal(mid.headers["content-range"], `bytes 100-1099/${size}`);
  assert.equal(Number(mid.headers["content-length"]), 1000);
  assert.ok(mid.body.equals(bytes.subarray(100, 1100)));

  // The end-of-central-directory record, as a zip reader seeks it.
  const tail = await raw(url, { Range: "bytes=-22" });
  assert.equal(tail.status, 206);
  assert.equal(tail.headers["content-range"], `bytes ${size - 22}-${size - 1}/${size}`);
  assert.ok(tail.body.equals(bytes.subarray(size - 22)));
  assert.equal(tail.body.readUInt32LE(0), 0x06054b50);
});

clean(
  "If-Range: the right ETag gives 206, a wrong one 200 with the whole archive",
  async (_t, sim) => {
    const { bytes, size } = archiveOf(sim, DIRECT);
    const url = await signedUrl(sim);
    const first = await raw(url, { Range: "bytes=0-99" });
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[^"]+"$/);

    const same = await raw(url, { Range: "bytes=100-199", "If-Range": etag });
    assert.equal(same.status, 206);
    assert.equal(same.headers["content-range"], `bytes 100-199/${size}`);
    assert.ok(same.body.equals(bytes.subarray(100, 200)));

    const byDate = await raw(url, {
      Range: "bytes=100-199",
      "If-Range": String(first.headers["last-modified"]),
    });
    assert.equal(byDate.status, 206);

    const changed = await raw(url, { Range: "bytes=100-199", "If-Range": '"0123456789abcdef"' });
    assert.equal(changed.status, 200);
    assert.equal(changed.headers["content-range"], undefined);
    assert.ok(changed.body.equals(bytes));
  },
);

clean("an unsatisfiable range: 416 with S3's InvalidRange XML", async (_t, sim) => {
  const { size } = archiveOf(sim, DIRECT);
  const url = await signedUrl(sim);
  const res = await raw(url, { Range: `bytes=${size}-` });
  assert.equal(res.status, 416);
  assert.equal(res.headers["content-type"], "application/xml");
  const xml = res.body.toString();
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>/);
  assert.match(xml, /<Code>InvalidRange<\/Code>/);
});

clean("a signed URL expires after its TTL: 403 'Request has expired'", async (_t, sim) => {
  const url = await signedUrl(sim);
  sim.clock.advance((TTL_S - 1) * 1000);
  assert.equal((await raw(url, { Range: "bytes=0-9" })).status, 206);

  sim.clock.advance(2000);
  const expired = await raw(url, { Range: "bytes=0-9" });
  assert.equal(expired.status, 403);
  assert.equal(expired.headers["content-type"], "application/xml");
  const xml = expired.body.toString();
  assert.match(xml, /<Code>AccessDenied<\/Code>/);
  assert.match(xml, /<Message>Request has expired<\/Message>/);

  // GitLab signs a fresh URL on each request.
  assert.equal((await raw(await signedUrl(sim), { Range: "bytes=0-9" })).status, 206);
});

test("signedUrlTtl sets the lifetime of signed URLs", async (t) => {
  const sim = await simulate(t, undefined, { signedUrlTtl: 60 });
  const url = await signedUrl(sim);
  assert.equal(new URL(url).searchParams.get("X-Amz-Expires"), "60");
  sim.clock.advance(61_000);
  const res = await raw(url);
  assert.equal(res.status, 403);
  assert.match(res.body.toString(), /Request has expired/);
  assert.deepEqual(sim.log.leaks, []);
});

test("singleUseUrls: a signed URL answers once; GitLab hands out a fresh one each time", async (t) => {
  const sim = await simulate(t, undefined, { singleUseUrls: true });
  const first = await signedUrl(sim);
  const again = await signedUrl(sim);
  assert.notEqual(first, again, "two redirects in the same second give two URLs");
  const { bytes } = archiveOf(sim, DIRECT);
  const once = await raw(first);
  assert.equal(once.status, 200);
  assert.ok(once.body.equals(bytes));
  const twice = await raw(first, { Range: "bytes=10-" });
  assert.equal(twice.status, 403);
  assert.match(twice.body.toString(), /<Code>AccessDenied<\/Code>/);
  assert.equal((await raw(again, { Range: "bytes=10-" })).status, 206);
  assert.deepEqual(sim.log.leaks, []);
});

test("setArchive: the job's archive is replaced, with a new ETag and a new object key", async (t) => {
  const sim = await simulate(t);
  const before = archiveOf(sim, DIRECT);
  const urlBefore = await signedUrl(sim);
  const replacement = await sim.buildArchive({
    files: [{ type: "file", name: "new.txt", content: { text: "replaced\n" } }],
  });
  sim.setArchive(DIRECT, replacement);
  const urlAfter = await signedUrl(sim);
  assert.notEqual(new URL(urlAfter).pathname, new URL(urlBefore).pathname);
  const res = await raw(urlAfter, {
    "If-Range": `"${before.sha256.slice(0, 32)}"`,
    Range: "bytes=5-",
  });
  assert.equal(res.status, 200, "If-Range with the old ETag gets the whole new archive");
  assert.ok(res.body.equals(readFileSync(replacement.file)));
  assert.equal(sim.archiveOf(DIRECT), replacement);
});

clean("a tampered signed URL: 403 SignatureDoesNotMatch", async (_t, sim) => {
  const url = new URL(await signedUrl(sim));
  const signature = url.searchParams.get("X-Amz-Signature") ?? "";
  const tampered = (change: (u: URL) => void) => {
    const copy = new URL(url);
    change(copy);
    return copy.href;
  };
  const doesNotMatch = async (href: string, what: string) => {
    const res = await raw(href);
    assert.equal(res.status, 403, what);
    assert.match(res.body.toString(), /<Code>SignatureDoesNotMatch<\/Code>/, what);
  };
  await doesNotMatch(
    tampered((u) =>
      u.searchParams.set(
        "X-Amz-Signature",
        signature.slice(0, -1) + (signature.endsWith("0") ? "1" : "0"),
      ),
    ),
    "one hex digit of the signature changed",
  );
  await doesNotMatch(
    tampered((u) => u.searchParams.set("X-Amz-Expires", "604800")),
    "a longer lifetime, signature kept",
  );
  await doesNotMatch(
    tampered((u) => {
      u.pathname = u.pathname.replace(/\/[0-9a-f]+\//, "/00000000000000000000000000000000/");
    }),
    "another object, signature kept",
  );
  const unsigned = await raw(tampered((u) => u.searchParams.delete("X-Amz-Signature")));
  assert.equal(unsigned.status, 403);
  assert.match(unsigned.body.toString(), /<Code>AccessDenied<\/Code>/);
  // The genuine URL still works.
  assert.equal((await raw(url.href, { Range: "bytes=0-0" })).status, 206);
});

// ---- the leak detector --------------------------------------------------------------------------

const LEAKS: {
  name: string;
  /** The request to send, given the genuine signed URL. */
  send: (url: string) => [string, OutgoingHttpHeaders];
  /** How the log should name where the credential was. */
  where: RegExp;
}[] = [
  {
    name: "PRIVATE-TOKEN header",
    send: (url) => [url, { "PRIVATE-TOKEN": MAINTAINER }],
    where: /private-token/i,
  },
  {
    name: "JOB-TOKEN header",
    send: (url) => [url, { "JOB-TOKEN": JOB_TOKEN }],
    where: /job-token/i,
  },
  {
    name: "Authorization header with a scenario token",
    send: (url) => [url, { Authorization: `Bearer ${DEVELOPER}` }],
    where: /authorization/i,
  },
  {
    name: "Authorization header with any value",
    send: (url) => [url, { Authorization: "Basic dXNlcjpwYXNzd29yZA==" }],
    where: /authorization/i,
  },
  {
    name: "a token inside another header",
    send: (url) => [url, { Referer: `https://gitlab.example/x?private_token=${MAINTAINER}` }],
    where: /header/i,
  },
  {
    name: "a token in the URL",
    send: (url) => [`${url}&private_token=${DEVELOPER}`, {}],
    where: /URL/,
  },
  {
    name: "a percent-encoded token in the URL",
    send: (url) => [`${url}&note=${JOB_TOKEN.replace(/-/g, "%2D")}`, {}],
    where: /URL/,
  },
];

for (const leak of LEAKS)
  test(`leak detector: ${leak.name} is refused (400) and recorded`, async (t) => {
    const sim = await simulate(t);
    const [url, headers] = leak.send(await signedUrl(sim));
    const logged = nextRequest(sim, fromStore);
    const res = await raw(url, headers);
    assert.equal(res.status, 400);
    assert.equal(res.headers["content-type"], "application/xml");
    assert.match(res.body.toString(), /<Code>InvalidRequest<\/Code>/);
    const entry = await logged;
    assert.deepEqual(sim.log.leaks, [entry]);
    assert.equal(entry.status, 400);
    assert.match(entry.leakedCredential ?? "", leak.where);
    for (const name of ["private-token", "job-token", "authorization"])
      if (entry.headers[name] !== undefined) assert.equal(entry.headers[name], "[REDACTED]");
  });

test("leak detector: fetch following GitLab's redirect keeps PRIVATE-TOKEN, and is caught", async (t) => {
  const sim = await simulate(t);
  const logged = nextRequest(sim, fromStore);
  const res = await fetch(`${sim.apiUrl}${archivePath(DIRECT)}`, {
    headers: { "PRIVATE-TOKEN": MAINTAINER },
  });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /<Code>InvalidRequest<\/Code>/);
  const entry = await logged;
  assert.deepEqual(sim.log.leaks, [entry]);
  assert.match(entry.leakedCredential ?? "", /private-token/i);

  // fetch drops Authorization on a cross-origin redirect: nothing leaks, the download works.
  const bearer = await fetch(`${sim.apiUrl}${archivePath(DIRECT)}`, {
    headers: { Authorization: `Bearer ${MAINTAINER}` },
  });
  assert.equal(bearer.status, 200);
  assert.ok(Buffer.from(await bearer.arrayBuffer()).equals(archiveOf(sim, DIRECT).bytes));
  assert.equal(sim.log.leaks.length, 1);
});

test(
  "a storage URL with a malformed percent-encoding is answered, not left hanging",
  {},
  async (t) => {
    const sim = await simulate(t);
    const url = `${await signedUrl(sim)}&x=%E0%A4%A`;
    const res = await raw(url, {}, { signal: AbortSignal.timeout(2000) });
    assert.equal(res.error, undefined, "answered");
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.equal(sim.log.entries.filter(fromStore).length, 1);
  },
);

// ---- proxy download: GitLab fetches from the store -----------------------------------------------

clean(
  "proxy download: GitLab answers 200 with the archive, the store sees no token",
  async (_t, sim) => {
    const archive = archiveOf(sim, PROXIED);
    const stored = nextRequest(sim, fromStore);
    const served = nextRequest(sim, (e) => e.origin === "gitlab");
    const res = await raw(`${sim.apiUrl}${archivePath(PROXIED)}`, { "JOB-TOKEN": JOB_TOKEN });
    assert.equal(res.status, 200);
    assert.equal(res.error, undefined);
    assert.ok(res.body.equals(archive.bytes));
    assert.equal(sha256(res.body), archive.sha256);
    assert.equal(res.headers["content-type"], "application/octet-stream");
    assert.match(
      String(res.headers["content-disposition"]),
      /^attachment; filename="artifacts\.zip"/,
    );

    const fromGitLab = await served;
    assert.equal(fromGitLab.route, "archive");
    assert.equal(fromGitLab.status, 200);
    const store = await stored;
    assert.equal(store.status, 200);
    assert.equal(store.bytes, archive.size);
    assert.equal(store.leakedCredential, undefined);
    for (const name of ["private-token", "job-token", "authorization", "cookie"])
      assert.equal(store.headers[name], undefined, `${name} sent to the store`);
    for (const token of sim.world.tokens.keys())
      assert.ok(!JSON.stringify(store).includes(token), "a token reached the store");
  },
);

clean("proxy download: a Range is passed to the store and its 206 comes back", async (_t, sim) => {
  const { bytes, size } = archiveOf(sim, PROXIED);
  const stored = nextRequest(sim, fromStore);
  const res = await raw(`${sim.apiUrl}${archivePath(PROXIED)}`, {
    "PRIVATE-TOKEN": MAINTAINER,
    Range: "bytes=1000-1999",
  });
  assert.equal(res.status, 206);
  assert.equal(res.headers["content-range"], `bytes 1000-1999/${size}`);
  assert.equal(Number(res.headers["content-length"]), 1000);
  assert.ok(res.body.equals(bytes.subarray(1000, 2000)));

  const store = await stored;
  assert.equal(store.status, 206);
  assert.equal(store.range, "bytes=1000-1999");
  assert.equal(store.headers["private-token"], undefined);
  assert.ok(!JSON.stringify(store).includes(MAINTAINER));
});

test(
  "proxy download: a reset of the store's connection cuts GitLab's answer short",
  {},
  async (t) => {
    const sim = await simulate(t);
    sim.inject({ origin: "storage", kind: "reset", afterBytes: 50_000, times: 1 });
    const served = nextRequest(sim, (e) => e.origin === "gitlab");
    const res = await raw(
      `${sim.apiUrl}${archivePath(PROXIED)}`,
      { "PRIVATE-TOKEN": MAINTAINER },
      { signal: AbortSignal.timeout(2000) },
    );
    assert.ok(res.error, "the client sees the answer cut short");
    assert.notEqual(res.error.name, "AbortError", "the answer hung until the client gave up");
    assert.ok(res.body.length < archiveOf(sim, PROXIED).size);
    assert.equal((await served).route, "archive");
  },
);

// ---- store providers: who signs HEAD ------------------------------------------------------------

test("AWS: a HEAD is redirected to a URL signed for HEAD, which the store answers", async (t) => {
  const sim = await simulate(t);
  const head = await raw(
    `${sim.apiUrl}${archivePath(DIRECT)}`,
    { "PRIVATE-TOKEN": MAINTAINER },
    { method: "HEAD" },
  );
  assert.equal(head.status, 303);
  const stored = await raw(String(head.headers.location), {}, { method: "HEAD" });
  assert.equal(stored.status, 200);
  assert.equal(Number(stored.headers["content-length"]), archiveOf(sim, DIRECT).size);
  // A URL signed for GET refuses a HEAD on S3 too: the signature covers the method.
  const get = await raw(await signedUrl(sim), {}, { method: "HEAD" });
  assert.equal(get.status, 403);
  assert.deepEqual(sim.log.leaks, []);
});

for (const provider of ["Google", "AzureRM"] as const)
  test(`${provider}: a HEAD gets the URL signed for GET, and the store refuses a HEAD on it (403)`, async (t) => {
    const sim = await simulate(t, { ...loadScenarioFile(SAMPLE), storeProvider: provider });
    const head = await raw(
      `${sim.apiUrl}${archivePath(DIRECT)}`,
      { "PRIVATE-TOKEN": MAINTAINER },
      { method: "HEAD" },
    );
    assert.equal(head.status, 303);
    const location = String(head.headers.location);
    assert.ok(location.startsWith(`${sim.storageUrl}/`), location);
    const refused = nextRequest(sim, fromStore);
    const stored = await raw(location, {}, { method: "HEAD" });
    assert.equal(stored.status, 403);
    assert.equal(stored.headers["content-type"], "application/xml");
    assert.equal(stored.body.length, 0, "a HEAD answer has no body");
    assert.equal((await refused).status, 403);
    // The same URL downloads with GET.
    const got = await raw(location);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(archiveOf(sim, DIRECT).bytes));
    assert.deepEqual(sim.log.leaks, []);
  });

// ---- proxy download: the store's refusals pass through ----------------------------------------

for (const [status, code, message] of [
  [403, "AccessDenied", "Request has expired"],
  [404, "NoSuchKey", "The specified key does not exist."],
] as const)
  clean(
    `proxy download: a store ${status} reaches the client as that ${status}, with the store's XML`,
    async (_t, sim) => {
      sim.inject({ origin: "storage", job: PROXIED, kind: "status", status, times: 1 });
      const served = nextRequest(sim, (e) => e.origin === "gitlab");
      const res = await raw(`${sim.apiUrl}${archivePath(PROXIED)}`, {
        "PRIVATE-TOKEN": MAINTAINER,
      });
      assert.equal(res.status, status);
      assert.equal(res.headers["content-type"], "application/xml");
      assert.equal(res.headers.server, "AmazonS3");
      const xml = res.body.toString();
      assert.match(
        xml,
        new RegExp(`<Code>${code}</Code><Message>${message.replace(/\./g, "\\.")}</Message>`),
      );
      assert.equal(Number(res.headers["content-length"]), res.body.length);
      // GitLab's own headers stay (Rails keeps Cache-Control; the request id is GitLab's).
      assert.equal(res.headers["cache-control"], "max-age=0, private, must-revalidate");
      assert.ok(res.headers["x-request-id"]);
      const entry = await served;
      assert.deepEqual([entry.route, entry.status], ["archive", status]);
      // Only the first request was faulted.
      assert.equal(
        (await raw(`${sim.apiUrl}${archivePath(PROXIED)}`, { "PRIVATE-TOKEN": MAINTAINER })).status,
        200,
      );
    },
  );

clean(
  "proxy download: a fault on resumed requests only (ranged: true) spares the first GET",
  async (_t, sim) => {
    const { bytes, size } = archiveOf(sim, PROXIED);
    sim.inject({
      origin: "storage",
      job: PROXIED,
      ranged: true,
      kind: "status",
      status: 403,
      times: 1,
    });
    // Another job's ranges are not affected.
    assert.equal((await raw(await signedUrl(sim), { Range: "bytes=0-9" })).status, 206);
    const first = await raw(`${sim.apiUrl}${archivePath(PROXIED)}`, {
      "PRIVATE-TOKEN": MAINTAINER,
    });
    assert.equal(first.status, 200);
    assert.ok(first.body.equals(bytes));
    const resume = { "PRIVATE-TOKEN": MAINTAINER, Range: `bytes=${size - 100}-` };
    const refused = await raw(`${sim.apiUrl}${archivePath(PROXIED)}`, resume);
    assert.equal(refused.status, 403);
    assert.match(refused.body.toString(), /<Message>Request has expired<\/Message>/);
    const retried = await raw(`${sim.apiUrl}${archivePath(PROXIED)}`, resume);
    assert.equal(retried.status, 206);
    assert.ok(retried.body.equals(bytes.subarray(size - 100)));
  },
);

clean(
  "proxy download: a HEAD makes GitLab GET the store and answer its headers",
  async (_t, sim) => {
    const stored = nextRequest(sim, fromStore);
    const res = await raw(
      `${sim.apiUrl}${archivePath(PROXIED)}`,
      { "PRIVATE-TOKEN": MAINTAINER },
      { method: "HEAD" },
    );
    assert.equal(res.status, 200);
    assert.equal(Number(res.headers["content-length"]), archiveOf(sim, PROXIED).size);
    assert.equal(res.body.length, 0);
    assert.equal((await stored).method, "GET");
  },
);

test("artifacts.missingInStore: the store answers 404 NoSuchKey, directly and through GitLab", async (t) => {
  const spec = loadScenarioFile(SAMPLE);
  for (const job of spec.projects.flatMap((p) => p.pipelines ?? []).flatMap((p) => p.jobs ?? []))
    if ((job.id === DIRECT || job.id === PROXIED) && job.artifacts)
      job.artifacts.missingInStore = true;
  const sim = await simulate(t, spec);
  // GitLab's database still has the archive: it redirects, and the store has nothing.
  const direct = await raw(await signedUrl(sim));
  assert.equal(direct.status, 404);
  assert.match(direct.body.toString(), /<Code>NoSuchKey<\/Code>/);
  const proxied = await raw(`${sim.apiUrl}${archivePath(PROXIED)}`, { "JOB-TOKEN": JOB_TOKEN });
  assert.equal(proxied.status, 404);
  assert.equal(proxied.headers["content-type"], "application/xml");
  assert.match(proxied.body.toString(), /<Code>NoSuchKey<\/Code>/);
  assert.deepEqual(sim.log.leaks, []);
});
