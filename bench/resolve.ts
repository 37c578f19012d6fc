/**
 * `npm run bench`, resolution: find one job by name in a 12,000-job pipeline and its child
 * pipeline, 50 ms of latency injected on every GitLab request, with X-Total / X-Total-Pages
 * present (the simulator's count limit raised) and omitted (GitLab does not count past 10,000
 * rows). pipeline-artifacts (`list --job NAME`) against the fewest-waves peer
 * (bench/peers/waves.ts: knows the page count, asks for every page at once), alternating, each
 * a fresh node process running bundled JavaScript. Prints medians, the ratio, request counts.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { DIST } from "../scripts/build.ts";
import { startSimulator } from "../test/simulator/index.ts";
import { COUNT_LIMIT } from "../test/simulator/pagination.ts";
import type { JobSpec, ScenarioSpec } from "../test/simulator/scenario.ts";
import {
  CACHE_DIR,
  jobEnv,
  machine,
  median,
  need,
  pass,
  print,
  report,
  runs,
  SCALE,
  scaled,
  selected,
  table,
  timed,
  today,
  TOKEN,
  TOOL_NODE,
} from "./lib.ts";

if (!selected("resolve")) process.exit(0);
await need("/usr/bin/time");

const LATENCY_MS = 50;
const TARGET = 1.3;
const JOBS = scaled(12_000, 150);
const WANTED = "deploy";
const WANTED_ID = 900_005;
const n = runs(5);

// The parent: JOBS jobs and one trigger job; the child: 20 jobs, the wanted one among them.
const parentJobs: JobSpec[] = Array.from({ length: JOBS }, (_, i) => ({
  id: 1000 + i,
  name: `job-${i}`,
  stage: `stage-${i % 10}`,
}));
const childJobs: JobSpec[] = Array.from({ length: 20 }, (_, i) => ({
  id: 900_000 + i,
  name: i === 5 ? WANTED : `child-${i}`,
  artifacts: { files: [{ type: "file", name: "out.txt", content: { text: "ok\n" } }] },
}));
const scenario: ScenarioSpec = {
  projects: [
    {
      id: 1,
      path: "bench/app",
      pipelines: [
        {
          id: 10,
          jobs: parentJobs,
          bridges: [{ id: 999_999, name: "trigger-child", downstream: 11 }],
        },
        { id: 11, source: "parent_pipeline", jobs: childJobs },
      ],
    },
  ],
  tokens: [{ token: TOKEN, type: "personal" }],
};

await mkdir(CACHE_DIR, { recursive: true });
const peerScript = join(CACHE_DIR, "waves.mjs");
const bundled = await build({
  entryPoints: [fileURLToPath(new URL("./peers/waves.ts", import.meta.url))],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  write: false,
  logLevel: "warning",
});
await writeFile(peerScript, bundled.outputFiles[0]?.text ?? "");

const pages = Math.ceil(JOBS / 100);
const rows: string[][] = [];
const verdicts: string[] = [];
for (const totals of ["present", "omitted"] as const) {
  const sim = await startSimulator({
    scenario,
    archiveDir: CACHE_DIR,
    countLimit: totals === "present" ? Number.POSITIVE_INFINITY : Math.min(COUNT_LIMIT, JOBS - 1),
  });
  sim.inject({ origin: "gitlab", kind: "latency", ms: LATENCY_MS });
  const env = jobEnv(sim.apiUrl);
  const ways: Record<string, () => ReturnType<typeof timed>> = {
    "pipeline-artifacts list": () =>
      timed(TOOL_NODE, [DIST, "list", "--job", WANTED], CACHE_DIR, env),
    "fewest waves": () =>
      timed(
        process.execPath,
        [peerScript, sim.apiUrl, TOKEN, "1", "10", String(pages), WANTED],
        CACHE_DIR,
        {},
      ),
  };
  const names = Object.keys(ways);
  const seconds: Record<string, number[]> = {};
  const requests: Record<string, number> = {};
  try {
    for (let round = 0; round < n; round++)
      for (let k = 0; k < names.length; k++) {
        const way = names[(round + k) % names.length] as string;
        const before = sim.log.entries.length;
        const s = await (ways[way] as () => ReturnType<typeof timed>)();
        if (!s.stdout.includes(String(WANTED_ID)))
          throw new Error(`${way} did not find job ${WANTED_ID}: ${s.stdout.slice(0, 500)}`);
        (seconds[way] ??= []).push(s.seconds);
        requests[way] = sim.log.entries.length - before;
        print(
          `totals ${totals}, run ${round + 1} ${way}: ${s.seconds.toFixed(2)} s, ${requests[way]} requests`,
        );
      }
  } finally {
    await sim.close();
  }
  const ours = median(seconds["pipeline-artifacts list"] ?? []);
  const peer = median(seconds["fewest waves"] ?? []);
  const ratio = ours / peer;
  rows.push([
    totals,
    `${ours.toFixed(2)} s`,
    String(requests["pipeline-artifacts list"]),
    `${peer.toFixed(2)} s`,
    String(requests["fewest waves"]),
    ratio.toFixed(2),
    `<= ${TARGET}: ${pass(ratio <= TARGET)}`,
  ]);
  verdicts.push(`${totals} ${ratio.toFixed(2)}`);
}

report([
  `## ${today()}: resolve one job name in a ${JOBS.toLocaleString("en")}-job pipeline + a child pipeline, ${LATENCY_MS} ms latency per request, ${n} runs each${SCALE !== 1 ? `, BENCH_SCALE=${SCALE}` : ""}`,
  "",
  `Machine: ${machine()}. The parent pipeline has ${JOBS.toLocaleString("en")} jobs (${pages} pages of 100) and a trigger job; the child 20 jobs, the wanted one among them. Both are node processes running bundled JavaScript; the peer is told the page count.`,
  "",
  ...table(
    [
      "X-Total / X-Total-Pages",
      "pipeline-artifacts list",
      "its requests",
      "fewest waves",
      "its requests",
      "tool / peer",
      "target",
    ],
    rows,
  ),
  "",
  `Ratios (totals present, omitted): ${verdicts.join(", ")}.`,
]);
