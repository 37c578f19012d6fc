/** Runs the core in-process against a simulator, over real HTTP, with fast retry and poll timing. */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, type TestContext } from "node:test";
import { extraction } from "../../src/archive/extract.ts";
import { inflation } from "../../src/archive/inflate.ts";
import type { RetryPolicy } from "../../src/gitlab/client.ts";
import { type RawInputs, readOptions } from "../../src/inputs/parse.ts";
import type { Log } from "../../src/log.ts";
import { run } from "../../src/main.ts";
import type { Downloaded, Result } from "../../src/report.ts";
import type { PollPolicy } from "../../src/resolve/jobs.ts";
import type { Simulator } from "../simulator/index.ts";
import { JOB_TOKEN, MAINTAINER } from "./sim.ts";

export const FAST_RETRY: RetryPolicy = {
  attempts: 6,
  baseMs: 5,
  maxDelayMs: 2_000,
  budgetMs: 30_000,
};

export interface Recorded extends Log {
  lines: string[];
  /** What the run logged for troubleshooting (--verbose). */
  debugLines: string[];
}

export function recordingLog(): Recorded {
  const lines: string[] = [];
  const debugLines: string[] = [];
  return {
    lines,
    debugLines,
    info: (m) => void lines.push(m),
    warn: (m) => void lines.push(`warning: ${m}`),
    debug: (m) => void debugLines.push(m),
    group: (title, body) => {
      lines.push(title);
      return body();
    },
  };
}

/** A fresh destination folder, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pa-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The CI variables of the sample's running job "collect" (job token), against `sim`. */
export function ciEnv(sim: Simulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CI_API_V4_URL: sim.apiUrl,
    CI_SERVER_URL: sim.url,
    CI_PROJECT_ID: "42",
    CI_PIPELINE_ID: "500",
    CI_JOB_TOKEN: JOB_TOKEN,
    ...extra,
  };
}

/** The variables of a job of pipeline 5 in the `project()` scenario (project 7), with its maintainer token. */
export function projectEnv(sim: Simulator): Record<string, string> {
  return {
    CI_API_V4_URL: sim.apiUrl,
    CI_PROJECT_ID: "7",
    CI_PIPELINE_ID: "5",
    GITLAB_TOKEN: MAINTAINER,
  };
}

export interface Fetch {
  result: Result;
  log: Recorded;
}

export async function fetchArtifacts(
  sim: Simulator,
  inputs: RawInputs,
  env: Record<string, string | undefined> = ciEnv(sim),
  poll?: Partial<PollPolicy>,
  progressEveryMs?: number,
): Promise<Fetch> {
  const log = recordingLog();
  // Whatever happens, no GitLab credential may reach object storage.
  const leaks = () =>
    assert.deepEqual(sim.log.leaks, [], "a GitLab credential reached object storage");
  const result = await run(readOptions(inputs, env), {
    log,
    retry: FAST_RETRY,
    progressEveryMs,
    poll: { initialMs: 1, maxMs: 5, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), ...poll },
  }).finally(leaks);
  return { result, log };
}

/** Every file below `dir`, relative, sorted (staging leftovers would show up here). */
export async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** `dest` holds exactly the sample's `build` files (job 1001): contents, modes and symlink. */
export async function assertSampleBuild(dest: string): Promise<void> {
  assert.deepEqual(await filesBelow(dest), [
    "bin/latest",
    "bin/tool",
    "data/blob.bin",
    "dist/app.js",
    "dist/app.js.map",
  ]);
  assert.equal(
    await readFile(join(dest, "dist/app.js"), "utf8"),
    "console.log('hello from build');\n",
  );
  assert.equal((await stat(join(dest, "bin/tool"))).mode & 0o777, 0o755);
  assert.equal(await readlink(join(dest, "bin/latest")), "tool");
  assert.equal((await stat(join(dest, "dist/app.js.map"))).size, 20000);
}

/** The jobs a run downloaded (each must have been downloaded). */
export function downloaded(result: Result): Downloaded[] {
  return result.jobs.map((j) => {
    assert.equal(j.action, "downloaded", `${j.name} was ${j.action}, not downloaded`);
    return j as Downloaded;
  });
}

/**
 * Declares the suite `body` three times: entries written on the main thread, by the writer
 * threads that archives of many small entries get (archive/writer.ts), whatever the archive's
 * size, and on the main thread through zlib's streams, as where zlib's handle is not as
 * archive/inflate.ts expects it.
 */
export function onEachWay(body: () => void): void {
  const ways = [
    { title: "written on the main thread", threads: false, handles: true },
    { title: "written by the writer threads", threads: true, handles: true },
    { title: "inflated through zlib's streams", threads: false, handles: false },
  ];
  for (const way of ways)
    describe(way.title, () => {
      const from = { ...extraction };
      before(() => {
        if (way.threads) Object.assign(extraction, { writerFrom: 0, writerAverage: Infinity });
        inflation.handles = way.handles;
      });
      after(() => {
        Object.assign(extraction, from);
        inflation.handles = true;
      });
      body();
    });
}
