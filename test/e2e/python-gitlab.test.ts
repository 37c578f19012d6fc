/**
 * A GitLab client no one here wrote, python-gitlab (Debian's python3-gitlab, 3.12), talks to
 * the simulator through python_gitlab_client.py: pagination by the Link header, whole-archive
 * and single-file downloads, and the object-storage redirect that `requests` follows itself.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { promisify } from "node:util";
import type { Simulator } from "../simulator/index.ts";
import { pipelineStatus, statusAt } from "../simulator/scenario.ts";
import { MAINTAINER, simulate } from "../support/sim.ts";

const run = promisify(execFile);

/** Debian's interpreter: the `python3` first on PATH may be a pyenv without python-gitlab. */
const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./python_gitlab_client.py", import.meta.url).pathname;
const MISSING = `python-gitlab cannot be imported by ${PYTHON}: install the Debian package python3-gitlab (apt-get install python3-gitlab)`;

const PROJECT = 42;
const PIPELINE = 500;
const PER_PAGE = 2;
const LOCAL_JOB = 1001;
const OBJECT_JOB = 1004;
const PROXY_JOB = 1005;
const FILE_PATH = "dist/app.js";

interface Exchange {
  method: string;
  origin: string;
  path: string;
  query: string;
  status: number;
  location: string | null;
  credentials: string[];
}

interface Listing {
  jobs: { id: number; name: string; status: string }[];
  pages: { page: number; next_page: number | null; per_page: number; total: number | null }[];
  requests: Exchange[];
}

interface Download {
  job: number;
  ok: boolean;
  file?: string;
  size?: number;
  sha256?: string;
  base64?: string;
  error?: { type: string; response_code: number | null; message: string };
  requests: Exchange[];
}

interface Result {
  versions: { python_gitlab: string; requests: string };
  pipeline: { id: number; status: string };
  listings: { default: Listing; include_retried: Listing };
  archives: Download[];
  bearer_archives: Download[];
  files: Download[];
  warnings: string[];
  request_count: number;
}

/** Why python-gitlab is unusable here, or undefined when it imports. */
async function pythonGitlabMissing(): Promise<string | undefined> {
  try {
    await run(PYTHON, ["-c", "import gitlab"], { timeout: 20_000 });
    return undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    return err.stderr?.trim() || err.message;
  }
}

/** Skips the test, or fails it under CI, when python-gitlab is not installed. */
async function requirePythonGitlab(t: TestContext): Promise<boolean> {
  const missing = await pythonGitlabMissing();
  if (missing === undefined) return true;
  if (process.env.CI) assert.fail(`${MISSING}\n${missing}`);
  t.skip(MISSING);
  return false;
}

const sha256 = async (file: string) =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

function find(downloads: Download[], job: number): Download {
  const found = downloads.find((d) => d.job === job);
  assert.ok(found, `the script reported no download of job ${job}`);
  return found;
}

/** The pipeline's builds as the simulator holds them, newest first. */
function buildsOf(sim: Simulator, includeRetried: boolean) {
  const pipeline = sim.world.pipelines.get(PIPELINE);
  assert.ok(pipeline);
  return pipeline.jobs
    .filter((j) => j.kind === "build" && (includeRetried || !j.retried))
    .sort((a, b) => b.id - a.id);
}

test(
  "python-gitlab 3.12 lists and downloads from the simulator",
  {
    timeout: 60_000,
  },
  async (t) => {
    if (!(await requirePythonGitlab(t))) return;
    const sim = await simulate(t);
    const dir = await mkdtemp(join(tmpdir(), "python-gitlab-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const target = (name: string) => join(dir, name);

    const { stdout } = await run(
      PYTHON,
      [
        SCRIPT,
        ...["--url", sim.url, "--token", MAINTAINER],
        ...["--project", String(PROJECT), "--pipeline", String(PIPELINE)],
        ...["--per-page", String(PER_PAGE)],
        ...["--archive", `${LOCAL_JOB}:${target("local.zip")}`],
        ...["--archive", `${PROXY_JOB}:${target("proxy.zip")}`],
        ...["--archive", `${OBJECT_JOB}:${target("object-private-token.zip")}`],
        ...["--bearer-archive", `${OBJECT_JOB}:${target("object-bearer.zip")}`],
        ...["--file", `${LOCAL_JOB}:${FILE_PATH}`],
      ],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout) as Result;
    const now = sim.clock.now();
    // Every request python-gitlab made, plus GitLab's own fetch from the store for the proxied
    // archive. The simulator logs a request once its answer is sent, which may be after the
    // client has read it: wait (event-driven) until all of them are in sim.log.
    const logged = result.request_count + 1;
    while (sim.log.entries.length < logged) await once(sim.events, "request");

    await t.test("sim.log holds exactly the requests python-gitlab made", () => {
      assert.equal(sim.log.entries.length, logged);
      assert.equal(sim.log.find({ origin: "storage" }).length, 3, "1004 twice, 1005 by GitLab");
    });

    await t.test("runs the Debian python-gitlab 3.12", () => {
      assert.match(result.versions.python_gitlab, /^3\.12\./);
    });

    await t.test("gets the pipeline", () => {
      const pipeline = sim.world.pipelines.get(PIPELINE);
      assert.ok(pipeline);
      assert.deepEqual(result.pipeline, { id: PIPELINE, status: pipelineStatus(pipeline, now) });
    });

    const jobLists = sim.log.find({ route: "pipeline-jobs" });
    const retriedParam = (q: Record<string, string>) =>
      ["true", "1", "t", "yes", "y", "on"].includes((q.include_retried ?? "").toLowerCase());

    for (const [label, includeRetried] of [
      ["default", false],
      ["include_retried", true],
    ] as const) {
      await t.test(`lists every job page by page (${label})`, () => {
        const listing = result.listings[label];
        const expected = buildsOf(sim, includeRetried);
        assert.deepEqual(
          listing.jobs,
          expected.map((j) => ({ id: j.id, name: j.name, status: statusAt(j, now) })),
        );
        const pages = Math.ceil(expected.length / PER_PAGE);
        assert.ok(pages > 1, "the scenario must need several pages");
        assert.deepEqual(
          listing.pages.map((p) => p.page),
          Array.from({ length: pages }, (_, i) => i + 1),
        );
        assert.equal(listing.requests.length, pages);
        const logged = jobLists.filter((e) => retriedParam(e.query) === includeRetried);
        assert.equal(logged.length, pages, "one list request per page in sim.log");
        assert.ok(logged.every((e) => e.status === 200));
        // Pages after the first are the Link rel="next" URLs: python-gitlab never adds
        // pipeline_id to the query itself, GitLab's Link URLs carry every param.
        assert.deepEqual(
          logged.map((e) => [e.query.page, e.query.pipeline_id]),
          logged.map((_, i) =>
            i === 0 ? [undefined, undefined] : [String(i + 1), String(PIPELINE)],
          ),
        );
      });
    }

    await t.test("Link URLs are on the configured base URL (no python-gitlab warning)", () => {
      assert.deepEqual(result.warnings, []);
    });

    for (const job of [LOCAL_JOB, PROXY_JOB]) {
      await t.test(`downloads the whole archive of job ${job} (streamed)`, async () => {
        const download = find(result.archives, job);
        assert.equal(download.ok, true, JSON.stringify(download.error));
        const archive = sim.archiveOf(job);
        assert.ok(archive);
        assert.equal(download.sha256, archive.sha256);
        assert.equal(download.size, archive.size);
        assert.ok(download.file);
        assert.equal(await sha256(download.file), archive.sha256);
        assert.deepEqual(
          download.requests.map((r) => r.status),
          [200],
        );
      });
    }

    await t.test("downloads one file out of the archive", () => {
      const download = find(result.files, LOCAL_JOB);
      assert.equal(download.ok, true, JSON.stringify(download.error));
      const entry = sim.world.jobs
        .get(LOCAL_JOB)
        ?.artifacts?.files.find((f) => f.name === FILE_PATH);
      assert.ok(entry?.type === "file" && "text" in entry.content);
      assert.equal(
        Buffer.from(download.base64 ?? "", "base64").toString("utf8"),
        entry.content.text,
      );
    });

    await t.test(
      "object storage: requests follows the 302 and carries PRIVATE-TOKEN to the store (400)",
      () => {
        // requests drops Authorization on a redirect to another host or port, but not custom
        // headers: python-gitlab's PRIVATE-TOKEN goes to object storage, whose leak detector
        // refuses it. This is why pipeline-artifacts follows that redirect by hand.
        const download = find(result.archives, OBJECT_JOB);
        assert.equal(download.ok, false);
        assert.equal(download.error?.type, "GitlabGetError");
        assert.equal(download.error?.response_code, 400);
        assert.match(download.error?.message ?? "", /private-token header/);
        const [redirect, store, ...rest] = download.requests;
        assert.deepEqual(rest, []);
        assert.equal(redirect?.status, 302);
        assert.equal(redirect?.origin, sim.url);
        assert.ok(redirect?.location?.startsWith(`${sim.storageUrl}/`));
        assert.deepEqual(redirect?.credentials, ["PRIVATE-TOKEN"]);
        assert.equal(store?.origin, sim.storageUrl);
        assert.equal(store?.status, 400);
        assert.deepEqual(store?.credentials, ["PRIVATE-TOKEN"]);

        const leaks = sim.log.leaks;
        assert.equal(leaks.length, 1, "only the PRIVATE-TOKEN download leaked");
        assert.equal(leaks[0]?.origin, "storage");
        assert.equal(leaks[0]?.status, 400);
        assert.equal(leaks[0]?.leakedCredential, "private-token header");
      },
    );

    await t.test(
      "object storage: with Authorization: Bearer, requests strips it and the download works",
      async () => {
        const download = find(result.bearer_archives, OBJECT_JOB);
        assert.equal(download.ok, true, JSON.stringify(download.error));
        const archive = sim.archiveOf(OBJECT_JOB);
        assert.ok(archive);
        assert.equal(download.sha256, archive.sha256);
        assert.ok(download.file);
        assert.equal(await sha256(download.file), archive.sha256);
        const [redirect, store, ...rest] = download.requests;
        assert.deepEqual(rest, []);
        assert.equal(redirect?.status, 302);
        assert.deepEqual(redirect?.credentials, ["Authorization"]);
        assert.equal(store?.origin, sim.storageUrl);
        assert.equal(store?.status, 200);
        assert.deepEqual(store?.credentials, []);
      },
    );
  },
);
