/**
 * Extraction that follows the download (transfer/overlap.ts): it starts before the download
 * ends, survives a reset and a stall mid-way, extracts again when the archive changes under it,
 * falls back when ranges are ignored, fails cleanly on a flipped byte, and ends the download when
 * the extraction fails while the body waits for room.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { crc32 } from "node:zlib";
import type { Simulator } from "../simulator/index.ts";
import type { ZipEntry, ZipOptions } from "../simulator/zip.ts";
import { tokenOf } from "../../src/gitlab/auth.ts";
import { GitLabClient } from "../../src/gitlab/client.ts";
import { downloadAndStage } from "../../src/transfer/overlap.ts";
import {
  downloaded,
  FAST_RETRY,
  fetchArtifacts,
  onEachWay,
  projectEnv,
  tempDir,
} from "../support/run.ts";
import { MAINTAINER, project, simulate } from "../support/sim.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** 40 stored files of 256 KiB (10 MiB: past the size from which extraction follows). */
const files = (seed: string): ZipEntry[] =>
  Array.from({ length: 40 }, (_, i) => ({
    type: "file",
    name: `part/${String(i).padStart(2, "0")}.bin`,
    content: { size: 256 * KiB, fill: "random", seed: `${seed}-${i}` },
    method: i % 2 ? "deflate" : "store",
  }));

/** Job 1 (`big`) of pipeline 5, project 7, with these artifacts (by default 10 MiB in 40 files). */
async function big(
  t: TestContext,
  artifacts: { files: ZipEntry[]; zip?: ZipOptions } = { files: files("a") },
): Promise<Simulator> {
  return simulate(t, project([{ id: 5, jobs: [{ id: 1, name: "big", artifacts }] }]));
}

/** Every file of the job's archive is in `dir` with its size and CRC-32, and nothing else. */
async function exact(sim: Simulator, dir: string): Promise<void> {
  const archive = sim.archiveOf(1);
  assert.ok(archive);
  const wanted = archive.entries.filter((e) => e.type === "file");
  for (const entry of wanted) {
    const data = await readFile(join(dir, ...entry.name.split("/")));
    assert.equal(data.length, entry.uncompressedSize, entry.name);
    assert.equal(crc32(data), entry.crc32, entry.name);
  }
  const there = await readdir(join(dir, "part"));
  assert.equal(there.length, wanted.length);
  assert.deepEqual(await temporaries(dir), []);
}

async function temporaries(dir: string): Promise<string[]> {
  const parent = join(dir, "..");
  if (!existsSync(parent)) return [];
  return (await readdir(parent, { recursive: true })).filter((p) =>
    p.includes(".pipeline-artifacts-"),
  );
}

/** How many bytes had arrived when extraction read its first entry, from the run's debug log. */
function firstReadAt(lines: string[]): number | undefined {
  const m = lines
    .map((l) => /first entry was read when ([\d.]+) (KiB|MiB) of/.exec(l))
    .find((x) => x !== null);
  return m ? Number(m[1]) * (m[2] === "MiB" ? MiB : KiB) : undefined;
}

const tail = (sim: Simulator) =>
  sim.log.find({ route: "archive" }).filter((r) => r.range?.startsWith("bytes=-"));

// Each way (test/support/run.ts onEachWay): on the main thread, by the writer threads that archives
// of many small entries get (archive/writer.ts), and through zlib's streams, while the body still
// streams.
onEachWay(() => {
  describe("extraction follows the download", () => {
    test("entries are extracted before the download ends: a stall mid-body holds the download, not the entries before it", async (t) => {
      const sim = await big(t);
      sim.inject({ route: "archive", kind: "stall", afterBytes: 4 * MiB, times: 1 });
      const dest = join(await tempDir(t), "out");
      const { result, log } = await fetchArtifacts(
        sim,
        { job: "big", path: dest, "stall-timeout": "500ms" },
        projectEnv(sim),
      );
      assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1)?.sha256);
      // The body stopped at 4 MiB until the stall was noticed: the first entry was read before.
      const at = firstReadAt(log.debugLines);
      assert.ok(at !== undefined && at <= 4 * MiB, String(log.debugLines));
      // The central directory came from one tail read, If-Range guarded by the body's ETag.
      const [end] = tail(sim);
      assert.equal(end?.status, 206);
      assert.equal(end?.headers["if-range"], `"${sim.archiveOf(1)?.sha256}"`);
      const bodies = sim.log.find({ route: "archive" }).filter((r) => r !== end);
      assert.deepEqual(
        bodies.map((r) => r.outcome),
        ["stall", "complete"],
      );
      await exact(sim, dest);
    });

    test("a reset mid-download while entries are being extracted resumes, and the files are exact", async (t) => {
      const sim = await big(t);
      sim.inject({ route: "archive", kind: "reset", afterBytes: 5 * MiB, times: 1 });
      const dest = join(await tempDir(t), "out");
      const { result, log } = await fetchArtifacts(
        sim,
        { job: "big", path: dest },
        projectEnv(sim),
      );
      assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1)?.sha256);
      assert.ok(log.lines.some((l) => l.includes("resumed 1 time(s)")));
      assert.ok(firstReadAt(log.debugLines) !== undefined, String(log.debugLines));
      await exact(sim, dest);
    });

    test("an archive that changes after its central directory was read is extracted again from the finished file", async (t) => {
      const sim = await big(t);
      const other = await sim.buildArchive({ files: files("b") });
      // Once the central directory was read, the archive is uploaded anew; the body, stalled,
      // resumes into the new one (GitLab answers 200 to the stale If-Range).
      sim.inject({ route: "archive", kind: "stall", afterBytes: 6 * MiB, times: 1 });
      sim.events.on("request", (r: { range?: string }) => {
        if (r.range?.startsWith("bytes=-")) sim.setArchive(1, other);
      });
      const dest = join(await tempDir(t), "out");
      const { result, log } = await fetchArtifacts(
        sim,
        { job: "big", path: dest, "stall-timeout": "1s" },
        projectEnv(sim),
      );
      assert.equal(downloaded(result)[0]?.sha256, other.sha256);
      assert.ok(
        log.debugLines.some((l) => l.includes("extracted again from the finished download")),
        String(log.debugLines),
      );
      const statuses = sim.log
        .find({ route: "archive" })
        .filter((r) => !r.range?.startsWith("bytes=-"))
        .map((r) => r.status);
      assert.deepEqual(statuses, [200, 200]);
      await exact(sim, dest);
    });

    test("a server that ignores ranges: downloaded first, then extracted", async (t) => {
      const sim = await big(t);
      sim.inject({ route: "archive", kind: "ignore-range", skip: 1, times: 1 });
      const dest = join(await tempDir(t), "out");
      const { result, log } = await fetchArtifacts(
        sim,
        { job: "big", path: dest },
        projectEnv(sim),
      );
      assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1)?.sha256);
      assert.equal(firstReadAt(log.debugLines), undefined);
      assert.ok(log.debugLines.some((l) => l.includes("downloaded first, then extracted")));
      await exact(sim, dest);
    });

    test("a central directory that comes too late: the body, held up by a full window meanwhile, goes to a file and is extracted from it", async (t) => {
      const sim = await big(t);
      // The tail request stalls until the stall timeout gives up on it: by then the body has filled
      // the window and waits for room, which only going to a file gives it.
      sim.inject({ route: "archive", kind: "stall", afterBytes: 0, ranged: true, times: 1 });
      const dest = join(await tempDir(t), "out");
      const { result, log } = await fetchArtifacts(
        sim,
        { job: "big", path: dest, "stall-timeout": "1s" },
        projectEnv(sim),
      );
      assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1)?.sha256);
      assert.ok(
        log.debugLines.some((l) => l.includes("central directory could not be read ahead")),
        String(log.debugLines),
      );
      await exact(sim, dest);
    });

    test("an entry larger than the window, last in the archive, streams through it", async (t) => {
      // The window holds about 2 MiB: the last entry's 6 MiB pass through it while being written.
      const big6: ZipEntry = {
        type: "file",
        name: "part/zz.bin",
        content: { size: 6 * MiB, fill: "random", seed: "last" },
        method: "store",
      };
      const sim = await big(t, { files: [...files("a").slice(0, 10), big6] });
      const dest = join(await tempDir(t), "out");
      const { log } = await fetchArtifacts(sim, { job: "big", path: dest }, projectEnv(sim));
      assert.ok(firstReadAt(log.debugLines) !== undefined, String(log.debugLines));
      await exact(sim, dest);
    });

    test("a byte flipped in transit fails the run cleanly: nothing written, nothing left", async (t) => {
      const sim = await big(t);
      sim.inject({ route: "archive", kind: "corrupt", atByte: 3 * MiB + 100, times: 1 });
      const root = await tempDir(t);
      const dest = join(root, "out");
      await assert.rejects(
        fetchArtifacts(sim, { job: "big", path: dest }, projectEnv(sim)),
        /corrupt/,
      );
      assert.deepEqual(await readdir(root), []);
    });

    test(
      "an extraction that fails while the body waits for room ends the download too",
      {
        timeout: 15_000,
      },
      async (t) => {
        // The extraction reads the first bytes, and nothing lets the window go: the body fills it
        // and waits for room. Only then does the extraction fail; the run must end with its error,
        // not wait on room that nothing will make.
        const sim = await big(t);
        const client = new GitLabClient({
          baseUrl: sim.apiUrl,
          token: tokenOf(MAINTAINER, "token", undefined),
          retry: FAST_RETRY,
        });
        const dir = await tempDir(t);
        let full = () => {};
        const filled = new Promise<void>((resolve) => (full = resolve));
        const refused = new Error("refused by the extraction");
        await assert.rejects(
          downloadAndStage({
            client,
            url: `${sim.apiUrl}/projects/7/jobs/1/artifacts`,
            dir,
            what: "the artifacts of big",
            // Told before the chunk is taken: one that takes the body past the window (2 MiB)
            // waits for room.
            progress: (received) => {
              if (received > 2 * MiB) full();
            },
            stage: async (source) => {
              await source.read(0, 30);
              await filled;
              throw refused;
            },
          }),
          (e) => e === refused,
        );
        assert.deepEqual(await readdir(dir), []);
      },
    );

    test("a small archive is downloaded, then extracted, with one request", async (t) => {
      const sim = await big(t, {
        files: [{ type: "file", name: "a.txt", content: { size: MiB, fill: "text" } }],
      });
      const dest = join(await tempDir(t), "out");
      await fetchArtifacts(sim, { job: "big", path: dest }, projectEnv(sim));
      assert.equal(sim.log.find({ route: "archive" }).length, 1);
      assert.equal((await stat(join(dest, "a.txt"))).size, MiB);
    });

    test("the body is held in memory, not in a file: no temporary file appears while it streams", async (t) => {
      const sim = await big(t);
      // Stalled at 6 MiB of 10: when the stalled body ends, the staging folder is beside the
      // destination, and no file holding the body.
      sim.inject({ route: "archive", kind: "stall", afterBytes: 6 * MiB, times: 1 });
      const root = await tempDir(t);
      const dest = join(root, "out");
      const seen: string[][] = [];
      sim.events.on("request", (r: { outcome?: string }) => {
        if (r.outcome === "stall") seen.push(readdirSync(root));
      });
      await fetchArtifacts(
        sim,
        { job: "big", path: dest, "stall-timeout": "500ms" },
        projectEnv(sim),
      );
      assert.equal(seen.length, 1);
      assert.ok(
        seen[0]?.some((n) => n.startsWith(".pipeline-artifacts-staging-")),
        String(seen[0]),
      );
      assert.deepEqual(
        seen[0]?.filter((n) => n.endsWith(".part")),
        [],
      );
      await exact(sim, dest);
    });

    test("an archive whose central directory lists entries out of their order is extracted from a second download", async (t) => {
      const sim = await big(t, { files: files("a"), zip: { centralReversed: true } });
      const dest = join(await tempDir(t), "out");
      const { log } = await fetchArtifacts(sim, { job: "big", path: dest }, projectEnv(sim));
      assert.ok(
        log.debugLines.some((l) => l.includes("extracted again from a second download")),
        String(log.debugLines),
      );
      const bodies = sim.log.find({ route: "archive" }).filter((r) => !r.range);
      assert.deepEqual(
        bodies.map((r) => r.status),
        [200, 200],
      );
      await exact(sim, dest);
    });
  });
});
