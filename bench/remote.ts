/**
 * `npm run bench`, second part: one 1 MiB file out of a 1 GiB archive. pipeline-artifacts with
 * `paths` reads it where it lies through HTTP ranges; the same tool downloading the whole archive
 * is the baseline. Prints, side by side in one run, the bytes each moved (from the simulator's
 * request log) and the wall-time ratio, and appends them to bench/RESULTS.md.
 */
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { DIST } from "../scripts/build.ts";
import { startSimulator } from "../test/simulator/index.ts";
import type { ZipEntry } from "../test/simulator/zip.ts";
import {
  binary,
  CACHE_DIR,
  jobEnv,
  machine,
  MiB,
  median,
  need,
  pipelineScenario,
  report,
  runs,
  scaled,
  selected,
  table,
  timed,
  TOOL_NODE,
} from "./lib.ts";

const RUNS = runs(3);
const WANTED = "wanted/one.bin";

// 1 GiB: eight 128 MiB binaries with the 1 MiB file among them, and some small reports.
const big = (i: number) => binary(`bin/part-${i}.bin`, scaled(128 * MiB));
const files: ZipEntry[] = [
  ...[0, 1, 2, 3].map(big),
  { type: "file", name: WANTED, content: { size: MiB, fill: "random", seed: "one" } },
  ...[4, 5, 6, 7].map(big),
  ...Array.from({ length: 100 }, (_, i): ZipEntry => ({
    type: "file",
    name: `reports/r${i}.txt`,
    content: { size: 2048, fill: "text", seed: `r${i}` },
  })),
];
const scenario = pipelineScenario([{ id: 100, name: "big", artifacts: { files } }]);

if (!selected("remote")) process.exit(0);
await need("/usr/bin/time");
process.stdout.write("Building the 1 GiB archive (cached after the first run)...\n");
const sim = await startSimulator({ scenario, archiveDir: CACHE_DIR });
const archive = sim.archiveOf(100);
const wanted = archive?.entries.find((e) => e.name === WANTED);
if (!archive || !wanted) throw new Error("no archive");
const env = jobEnv(sim.apiUrl);

const ways: Record<string, string[]> = {
  "paths (ranges)": ["--paths", WANTED],
  "whole archive": ["--extract=false"],
};
const seconds: Record<string, number[]> = { "paths (ranges)": [], "whole archive": [] };
const moved: Record<string, number> = {};
for (let run = 1; run <= RUNS; run++)
  for (const [name, args] of Object.entries(ways)) {
    const dir = await mkdtemp(join(CACHE_DIR, "run-"));
    const before = sim.log.entries.length;
    try {
      const s = await timed(
        TOOL_NODE,
        [DIST, "download", "--job", "big", "--path", "out", ...args],
        dir,
        env,
      );
      if (name.startsWith("paths") && statSync(join(dir, "out", WANTED)).size !== MiB)
        throw new Error("wrong file");
      seconds[name]?.push(s.seconds);
      moved[name] = sim.log.entries
        .slice(before)
        .filter((e) => e.route === "archive")
        .reduce((n, e) => n + e.bytes, 0);
      process.stdout.write(
        `run ${run} ${name}: ${s.seconds.toFixed(2)} s, ${moved[name]} bytes moved\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
await sim.close();

const ranged = median(seconds["paths (ranges)"] ?? []);
const whole = median(seconds["whole archive"] ?? []);
const budget = wanted.compressedSize + 128 * 1024;
report([
  `## ${new Date().toISOString().slice(0, 10)}: one 1 MiB file out of a ${(archive.size / 1024 ** 3).toFixed(2)} GiB archive (local storage), ${RUNS} runs each`,
  "",
  `Machine: ${machine()}.`,
  "",
  ...table(
    ["way", "median wall time", "bytes moved"],
    [
      ["paths (HTTP ranges)", `${ranged.toFixed(2)} s`, String(moved["paths (ranges)"])],
      ["whole archive", `${whole.toFixed(2)} s`, String(moved["whole archive"])],
    ],
  ),
  "",
  `Bytes moved for the file: **${moved["paths (ranges)"]}**, budget ${budget} (its compressed size ${wanted.compressedSize} + 128 KiB); the ranged read is **${(whole / ranged).toFixed(1)}x** faster than the whole download (target >= 20x).`,
]);
