/**
 * The cache by job id (input `cache`), in process over real HTTP: a hit makes no request for the
 * archive and gives exactly the files a download gives; a partial, altered or unmarked entry is
 * ignored and replaced; runs at once never see half an entry; the least recently used go first;
 * and @actions/tool-cache's find() sees the entries.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { InputError } from "../../src/errors.ts";
import { readOptions } from "../../src/inputs/parse.ts";
import { entryOf, toolName, versionOf } from "../../src/transfer/cache.ts";
import type { Simulator } from "../simulator/index.ts";
import {
  assertSampleBuild,
  ciEnv,
  downloaded,
  fetchArtifacts,
  projectEnv,
  tempDir,
} from "../support/run.ts";
import { archiveRequests, project, simulate } from "../support/sim.ts";

/** The entry of job 1001 of the sample scenario in `root`. */
const buildEntry = (sim: Simulator, root: string) =>
  entryOf(root, { host: new URL(sim.apiUrl).host, project: "42", jobId: 1001 });

/** Fetches `build` into a new folder with the cache at `root`. */
async function fetchBuild(t: Parameters<typeof tempDir>[0], sim: Simulator, root: string) {
  const dest = await tempDir(t);
  const fetched = await fetchArtifacts(sim, { job: "build", path: dest, cache: root });
  return { dest, ...fetched };
}

describe("cache", () => {
  test("a second fetch of a job is a hit: no archive request, the same files, sha256 reported", async (t) => {
    const sim = await simulate(t);
    const root = await tempDir(t);
    const first = await fetchBuild(t, sim, root);
    const [miss] = downloaded(first.result);
    assert.equal(miss?.cacheHit, false);
    assert.equal(archiveRequests(sim).length, 1);
    const at = buildEntry(sim, root);
    assert.ok(existsSync(at.marker), "the entry is marked complete");

    sim.log.clear();
    const second = await fetchBuild(t, sim, root);
    assert.deepEqual(archiveRequests(sim), [], "a hit downloads nothing");
    const [hit] = downloaded(second.result);
    assert.equal(hit?.cacheHit, true);
    assert.equal(hit?.sha256, sim.archiveOf(1001)?.sha256);
    assert.equal(hit?.bytes, sim.archiveOf(1001)?.size);
    assert.deepEqual(hit?.files, miss?.files);
    await assertSampleBuild(second.dest);
    assert.ok(second.log.lines.some((l) => /from the cache/.test(l)));
  });

  test("a hit with job-id makes no request at all", async (t) => {
    const sim = await simulate(t);
    const root = await tempDir(t);
    const inputs = { "job-id": "1001", cache: root };
    await fetchArtifacts(sim, { ...inputs, path: await tempDir(t) });
    sim.log.clear();
    const dest = await tempDir(t);
    const { result } = await fetchArtifacts(sim, { ...inputs, path: dest });
    assert.deepEqual(sim.log.entries, []);
    assert.equal(downloaded(result)[0]?.cacheHit, true);
    await assertSampleBuild(dest);
  });

  const corruptions: [string, (dir: string, marker: string) => Promise<void>][] = [
    ["a file missing", (dir) => rm(join(dir, "files/dist/app.js"))],
    ["a file cut short", (dir) => writeFile(join(dir, "files/dist/app.js.map"), "short")],
    [
      "a file altered in place, same size",
      async (dir) => {
        const file = join(dir, "files/dist/app.js");
        const before = await stat(file);
        const bytes = await readFile(file);
        await writeFile(file, Buffer.concat([Buffer.from("C"), bytes.subarray(1)]));
        // As a later edit would leave it (the kernel's clock may not have ticked yet here).
        await utimes(file, before.atime, new Date(before.mtimeMs + 5000));
      },
    ],
    ["no completion marker", (_dir, marker) => rm(marker)],
    [
      "a record altered (its seal no longer matches)",
      async (dir) => {
        const file = join(dir, "entry.json");
        const entry = JSON.parse(await readFile(file, "utf8")) as { record: { bytes: number } };
        entry.record.bytes -= 1;
        await writeFile(file, JSON.stringify(entry));
      },
    ],
    ["no record", (dir) => rm(join(dir, "entry.json"))],
  ];
  for (const [what, corrupt] of corruptions)
    test(`an entry with ${what} is ignored, downloaded again and replaced`, async (t) => {
      const sim = await simulate(t);
      const root = await tempDir(t);
      await fetchBuild(t, sim, root);
      const at = buildEntry(sim, root);
      await corrupt(at.dir, at.marker);

      sim.log.clear();
      const again = await fetchBuild(t, sim, root);
      assert.equal(downloaded(again.result)[0]?.cacheHit, false);
      assert.equal(archiveRequests(sim).length, 1, "downloaded again");
      await assertSampleBuild(again.dest);

      sim.log.clear();
      const third = await fetchBuild(t, sim, root);
      assert.deepEqual(archiveRequests(sim), [], "the replaced entry is whole");
      assert.equal(downloaded(third.result)[0]?.cacheHit, true);
      await assertSampleBuild(third.dest);
    });

  test("runs at once, all missing, all write: each ends with exact files, one whole entry", async (t) => {
    const sim = await simulate(t);
    const root = await tempDir(t);
    // Every run has looked in the cache (and missed) before any archive is answered.
    sim.inject({ route: "archive", kind: "barrier", count: 4 });
    const runs = await Promise.all(Array.from({ length: 4 }, () => fetchBuild(t, sim, root)));
    for (const r of runs) {
      assert.equal(downloaded(r.result)[0]?.cacheHit, false);
      await assertSampleBuild(r.dest);
    }
    assert.deepEqual(await readdir(join(root, "pipeline-artifacts.work")), [], "no work left");
    sim.log.clear();
    const after = await fetchBuild(t, sim, root);
    assert.equal(downloaded(after.result)[0]?.cacheHit, true);
    assert.deepEqual(archiveRequests(sim), []);
    await assertSampleBuild(after.dest);
  });

  test("runs at once over an altered entry replace it, and each ends with exact files", async (t) => {
    const sim = await simulate(t);
    const root = await tempDir(t);
    await fetchBuild(t, sim, root);
    await writeFile(join(buildEntry(sim, root).dir, "files/dist/app.js"), "altered");
    sim.inject({ route: "archive", kind: "barrier", count: 3 });
    const runs = await Promise.all(Array.from({ length: 3 }, () => fetchBuild(t, sim, root)));
    for (const r of runs) await assertSampleBuild(r.dest);
    sim.log.clear();
    const after = await fetchBuild(t, sim, root);
    assert.equal(downloaded(after.result)[0]?.cacheHit, true);
    await assertSampleBuild(after.dest);
  });

  test("past cache-max-size the least recently used entries are removed", async (t) => {
    // Three jobs of 10 KiB each; the cap holds two.
    const jobs = [1, 2, 3].map((id) => ({
      id,
      name: `job-${id}`,
      artifacts: {
        files: [
          {
            type: "file" as const,
            name: "out.bin",
            content: { size: 10240, fill: "random" as const },
          },
        ],
      },
    }));
    const sim = await simulate(t, project([{ id: 5, jobs }]));
    const root = await tempDir(t);
    const fetch = async (id: number) =>
      fetchArtifacts(
        sim,
        { job: `job-${id}`, path: await tempDir(t), cache: root, "cache-max-size": "25KiB" },
        projectEnv(sim),
      );
    const entry = (jobId: number) =>
      entryOf(root, { host: new URL(sim.apiUrl).host, project: "7", jobId });
    const cached = (id: number) => existsSync(entry(id).marker) && existsSync(entry(id).dir);
    await fetch(1);
    await fetch(2);
    // Job 1 was used after job 2 (a hit records it), so job 2 is the least recently used.
    const past = new Date(Date.now() - 60_000);
    await utimes(join(entry(2).dir, "used"), past, past);
    const older = new Date(Date.now() - 120_000);
    await utimes(join(entry(1).dir, "used"), older, older);
    assert.equal(downloaded((await fetch(1)).result)[0]?.cacheHit, true);
    await fetch(3);
    assert.deepEqual([cached(1), cached(2), cached(3)], [true, false, true]);
  });

  test("a tree larger than cache-max-size is not cached, and the download succeeds", async (t) => {
    const sim = await simulate(t);
    const root = await tempDir(t);
    const dest = await tempDir(t);
    const { result, log } = await fetchArtifacts(sim, {
      job: "build",
      path: dest,
      cache: root,
      "cache-max-size": "1KiB",
    });
    assert.equal(downloaded(result)[0]?.cacheHit, false);
    await assertSampleBuild(dest);
    assert.equal(existsSync(buildEntry(sim, root).dir), false);
    assert.ok(log.lines.some((l) => /not cached.*cache-max-size/.test(l)));
  });

  test("a cache that cannot be written warns, and the download succeeds", async (t) => {
    const sim = await simulate(t);
    const root = await tempDir(t);
    // The tool's folder is a file: nothing can be stored under it.
    await writeFile(join(root, toolName({ host: new URL(sim.apiUrl).host, project: "42" })), "");
    const { dest, result, log } = await fetchBuild(t, sim, root);
    assert.equal(downloaded(result)[0]?.cacheHit, false);
    await assertSampleBuild(dest);
    assert.ok(log.lines.some((l) => /^warning: build \(job 1001\): not cached/.test(l)));
  });

  test("artifact-path, paths and extract: false bypass the cache", async (t) => {
    const sim = await simulate(t);
    const root = await tempDir(t);
    await fetchBuild(t, sim, root);
    for (const inputs of [
      { "artifact-path": "dist/app.js" },
      { paths: "dist/" },
      { extract: "false" },
    ]) {
      sim.log.clear();
      const { result } = await fetchArtifacts(sim, {
        job: "build",
        path: await tempDir(t),
        cache: root,
        ...inputs,
      });
      assert.equal(downloaded(result)[0]?.cacheHit, false);
      assert.ok(sim.log.entries.some((e) => e.path.includes("/jobs/1001/artifacts")));
    }
  });

  test("@actions/tool-cache's find() sees the entries, and prints workflow commands doing it", async (t) => {
    const sim = await simulate(t);
    const root = await tempDir(t);
    await fetchBuild(t, sim, root);
    const tool = toolName({ host: new URL(sim.apiUrl).host, project: "42" });
    const script = `import * as tc from "@actions/tool-cache"; process.stderr.write(tc.find(${JSON.stringify(tool)}, "${versionOf(1001)}", "artifacts"));`;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script],
      {
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
        env: { PATH: process.env.PATH ?? "", RUNNER_TOOL_CACHE: root },
      },
    );
    assert.equal(stderr, buildEntry(sim, root).dir);
    assert.match(stdout, /^::debug::/m, "why the tool does not call tool-cache itself");
  });
});

describe("cache input", () => {
  const env = { ...ciEnv({ apiUrl: "http://127.0.0.1:1/api/v4", url: "" } as Simulator) };
  const read = (inputs: Record<string, string>, extra: Record<string, string> = {}) =>
    readOptions({ job: "build", path: "/work/out", ...inputs }, { ...env, ...extra }, "/work");
  const refused = (inputs: Record<string, string>, message: RegExp, extra = {}) =>
    assert.throws(
      () => read(inputs, extra),
      (e: unknown) => e instanceof InputError && e.input === "cache" && message.test(e.message),
    );

  test("off by default and with false; true is RUNNER_TOOL_CACHE; a folder is resolved", () => {
    const cacheOf = (inputs: Record<string, string>, extra = {}) => {
      const o = read(inputs, extra);
      assert.equal(o.mode, "download");
      return o.mode === "download" ? o.cache : undefined;
    };
    assert.equal(cacheOf({}), undefined);
    assert.equal(cacheOf({ cache: "false" }), undefined);
    assert.deepEqual(cacheOf({ cache: "true" }, { RUNNER_TOOL_CACHE: "/opt/hostedtoolcache" }), {
      root: "/opt/hostedtoolcache",
      maxBytes: 10 * 2 ** 30,
    });
    assert.deepEqual(cacheOf({ cache: "cache", "cache-max-size": "2GB" }), {
      root: "/work/cache",
      maxBytes: 2e9,
    });
  });

  test("true without RUNNER_TOOL_CACHE is refused, naming what is accepted", () =>
    refused({ cache: "true" }, /RUNNER_TOOL_CACHE is not set; give a folder/));

  test("a cache inside path, or path inside the cache, is refused", () => {
    refused({ cache: "/work/out/.cache" }, /one inside the other/);
    refused({ cache: "/work" }, /one inside the other/);
    refused({ cache: "/work/out" }, /one inside the other/);
  });
});

describe("cache folder checked before any request", () => {
  test("a cache path that is a file exits 2 with nothing requested or written", async (t) => {
    const sim = await simulate(t);
    const dir = await tempDir(t);
    const file = join(dir, "cache-file");
    await writeFile(file, "");
    const dest = join(dir, "out");
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", path: dest, cache: file }),
      (e: unknown) =>
        e instanceof InputError &&
        e.input === "cache" &&
        /is a file; give a folder/.test(e.message),
    );
    assert.deepEqual(sim.log.entries, []);
    assert.equal(existsSync(dest), false);
  });
});
