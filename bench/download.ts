/**
 * `npm run bench`: downloads and extracts a 1 GiB artifacts archive from the simulator with
 * pipeline-artifacts and with the classic script (`curl -L` + `unzip`), side by side in one run,
 * and prints the wall-time ratio and each one's peak RSS. Results are appended to bench/RESULTS.md.
 *
 * Peak RSS and wall time come from GNU time (`/usr/bin/time -f "%e %M"`) around each command.
 * Runs alternate between the tools, and the median of each is compared.
 */
import { appendFileSync, existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DIST } from "../scripts/build.ts";
import { startSimulator } from "../test/simulator/index.ts";
import type { ScenarioSpec } from "../test/simulator/scenario.ts";
import type { ZipEntry } from "../test/simulator/zip.ts";
import { MiB, median, need, type Sample, timed } from "./lib.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TOKEN = "glpat-benchmark-token";

// 1 GiB: eight 128 MiB binaries (stored, as already-compressed build outputs are) and 2,000
// small text files (deflated), like a build's output folder.
const files: ZipEntry[] = [
  ...Array.from({ length: 8 }, (_, i): ZipEntry => ({
    type: "file",
    name: `bin/part-${i}.bin`,
    method: "store",
    content: { size: 128 * MiB, fill: "random" },
  })),
  ...Array.from({ length: 2000 }, (_, i): ZipEntry => ({
    type: "file",
    name: `docs/page-${i}.txt`,
    content: { size: 4096, fill: "text", seed: `page-${i}` },
  })),
];

const scenario: ScenarioSpec = {
  projects: [
    {
      id: 1,
      path: "bench/app",
      pipelines: [{ id: 10, jobs: [{ id: 100, name: "big", artifacts: { files } }] }],
    },
  ],
  tokens: [{ token: TOKEN, type: "personal" }],
};

await need("/usr/bin/time", "curl", "unzip");

process.stdout.write("Building the 1 GiB archive (cached after the first run)...\n");
const sim = await startSimulator({ scenario });
const archive = sim.archiveOf(100);
if (!archive) throw new Error("no archive");
const url = `${sim.apiUrl}/projects/1/jobs/100/artifacts`;

const peers: Record<string, (dir: string) => Promise<Sample>> = {
  "pipeline-artifacts": (dir) =>
    timed(process.execPath, [DIST, "download", "--job", "big", "--path", "out"], dir, {
      CI_API_V4_URL: sim.apiUrl,
      CI_PROJECT_ID: "1",
      CI_PIPELINE_ID: "10",
      GITLAB_TOKEN: TOKEN,
    }),
  "curl -L + unzip": (dir) =>
    timed(
      "sh",
      [
        "-c",
        `curl -sSfL -H "PRIVATE-TOKEN: $T" -o artifacts.zip "$U" && unzip -q artifacts.zip -d out`,
      ],
      dir,
      { T: TOKEN, U: url },
    ),
};

const samples: Record<string, Sample[]> = Object.fromEntries(
  Object.keys(peers).map((k) => [k, []]),
);
for (let run = 1; run <= RUNS; run++)
  for (const [name, go] of Object.entries(peers)) {
    const dir = await mkdtemp(join(tmpdir(), "pa-bench-"));
    try {
      const s = await go(dir);
      if (!existsSync(join(dir, "out/bin/part-7.bin")))
        throw new Error(`${name} did not extract the archive`);
      samples[name]?.push(s);
      process.stdout.write(
        `run ${run} ${name}: ${s.seconds.toFixed(2)} s, peak RSS ${(s.peakKiB / 1024).toFixed(1)} MiB\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
await sim.close();

const ours = samples["pipeline-artifacts"] ?? [];
const peer = samples["curl -L + unzip"] ?? [];
const ratio = median(ours.map((s) => s.seconds)) / median(peer.map((s) => s.seconds));
const peak = Math.max(...ours.map((s) => s.peakKiB)) / 1024;
const lines = [
  "",
  `## ${new Date().toISOString().slice(0, 10)}: download + extract a ${(archive.size / 1024 ** 3).toFixed(2)} GiB archive (local storage), ${RUNS} runs each, ${cpus().length} cores, Node ${process.version}`,
  "",
  "| tool | median wall time | peak RSS |",
  "|---|---|---|",
  ...Object.entries(samples).map(
    ([name, xs]) =>
      `| ${name} | ${median(xs.map((s) => s.seconds)).toFixed(2)} s | ${(Math.max(...xs.map((s) => s.peakKiB)) / 1024).toFixed(1)} MiB |`,
  ),
  "",
  `Wall-time ratio pipeline-artifacts / (curl -L + unzip): **${ratio.toFixed(2)}** (target <= 1.0); pipeline-artifacts peak RSS **${peak.toFixed(1)} MiB** (target <= 100 MB).`,
  "",
];
process.stdout.write(lines.join("\n"));
appendFileSync(new URL("./RESULTS.md", import.meta.url), lines.join("\n"));
