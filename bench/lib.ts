/**
 * What the benchmarks share: the settings read from the environment, timing a command with GNU
 * time, medians, the scenario and archive entries they serve, and appending to RESULTS.md.
 *
 * Environment (every benchmark of `npm run bench` reads the same variables):
 *   BENCH=stored,mixed,tiny,zip64,resolve,remote,cache   what to run (default: all of them)
 *   BENCH_ZIP64=0         skip the 4 GiB+ zip64 corpus even when BENCH selects it (disk, time)
 *   BENCH_RUNS=N          runs of each tool for every figure (default 5 small, 3 big, 1 zip64)
 *   BENCH_PEERS=a,b       only these peers (names as printed, e.g. "curl+unzip,bsdtar")
 *   BENCH_SCALE=0.05      scale corpora down (sizes, file and job counts) while developing
 *   BENCH_DIR=DIR         where corpora are built and cached (default: OS temp dir)
 *   BENCH_RESULTS=0       print only; do not append to bench/RESULTS.md
 */
import { execFile, execFileSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ScenarioSpec, JobSpec } from "../test/simulator/scenario.ts";
import type { ZipEntry } from "../test/simulator/zip.ts";

export const exec = promisify(execFile);
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const TOKEN = "glpat-benchmark-token";

// ---- settings ------------------------------------------------------------------------------

const list = (v: string | undefined) =>
  v
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const selection = list(process.env.BENCH);
/** Whether BENCH selects this benchmark (all are selected when BENCH is unset). */
export const selected = (name: string): boolean =>
  (selection === undefined || selection.includes(name)) &&
  !(name === "zip64" && process.env.BENCH_ZIP64 === "0");

const peerSelection = list(process.env.BENCH_PEERS);
export const peerSelected = (name: string): boolean =>
  peerSelection === undefined || peerSelection.includes(name);

export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
if (!(SCALE > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${SCALE}`);
/** A size or count scaled by BENCH_SCALE (at least `min`). */
export const scaled = (n: number, min = 1) => Math.max(min, Math.round(n * SCALE));

export const CACHE_DIR = process.env.BENCH_DIR ?? join(tmpdir(), "pipeline-artifacts-bench");

/**
 * The Node.js that runs the tool: BENCH_NODE, else the one running the benchmark. The action
 * declares GitHub's current runtime (action.yml), which may be newer than this machine's Node.
 */
export const TOOL_NODE = process.env.BENCH_NODE ?? process.execPath;
const toolNodeVersion = execFileSync(TOOL_NODE, ["--version"], { encoding: "utf8" }).trim();

/** Runs per tool: BENCH_RUNS, else the default for this kind of figure. */
export const runs = (fallback: number): number => {
  const n = Number(process.env.BENCH_RUNS ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_RUNS must be >= 1, got ${n}`);
  return n;
};

// ---- measuring -----------------------------------------------------------------------------

export interface Sample {
  seconds: number;
  /** CPU time of the whole process tree (GNU time sums every waited-for descendant). */
  userSeconds: number;
  systemSeconds: number;
  /** The largest resident set of any one process of the tree. */
  peakKiB: number;
}

/** Wall time, CPU time and peak RSS of one command (and its children), from GNU time. */
export async function timed(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Sample & { stdout: string }> {
  const { stdout, stderr } = await exec(
    "/usr/bin/time",
    ["-f", "TIME %e %U %S %M", command, ...args],
    { cwd, env: { PATH: process.env.PATH ?? "", ...env }, maxBuffer: 64 * MiB },
  );
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(stderr);
  if (!m) throw new Error(`no timing in: ${stderr.slice(-500)}`);
  return {
    stdout,
    seconds: Number(m[1]),
    userSeconds: Number(m[2]),
    systemSeconds: Number(m[3]),
    peakKiB: Number(m[4]),
  };
}

export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const onPath = (tool: string) =>
  exec("sh", ["-c", `command -v "${tool}"`]).then(
    () => true,
    () => false,
  );

/** Fails with what to install when a tool the benchmark cannot do without is missing. */
export async function need(...tools: string[]): Promise<void> {
  for (const tool of tools)
    if (!(await onPath(tool)))
      throw new Error(`the benchmark needs ${tool} (Debian packages time, curl, unzip)`);
}

/** Why a peer cannot run here (what to install), or undefined when it can. */
export async function missing(
  needs: { tool: string; install: string; check?: string[] }[],
): Promise<string | undefined> {
  for (const { tool, install, check } of needs) {
    const ok = check
      ? await exec(tool, check).then(
          () => true,
          () => false,
        )
      : await onPath(tool);
    if (!ok) return `${tool} is missing: apt-get install ${install}`;
  }
  return undefined;
}

// ---- what is served ------------------------------------------------------------------------

/** One project (1) with one pipeline (10) holding these jobs, and a token that reads it. */
export const pipelineScenario = (jobs: JobSpec[]): ScenarioSpec => ({
  projects: [{ id: 1, path: "bench/app", pipelines: [{ id: 10, jobs }] }],
  tokens: [{ token: TOKEN, type: "personal" }],
});

/** A random (incompressible) binary, like an already compressed build output. */
export const binary = (name: string, size: number, method: "store" | "deflate" = "store") =>
  ({ type: "file", name, method, content: { size, fill: "random" } }) satisfies ZipEntry;

/** The environment the tool reads in a job of that pipeline, pointed at the simulator. */
export const jobEnv = (apiUrl: string) => ({
  CI_API_V4_URL: apiUrl,
  CI_PROJECT_ID: "1",
  CI_PIPELINE_ID: "10",
  GITLAB_TOKEN: TOKEN,
});

// ---- reporting -----------------------------------------------------------------------------

export const print = (text: string) => process.stdout.write(`${text}\n`);

/** The machine a section was measured on. */
export function machine(): string {
  const model = cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const node =
    toolNodeVersion === process.version
      ? `Node ${process.version}`
      : `the tool on Node ${toolNodeVersion} (BENCH_NODE)`;
  return `${cpus().length} cores (${model}), ${node}, load average ${load} at the start`;
}

export const today = () => new Date().toISOString().slice(0, 10);

/** Prints a section and appends it to bench/RESULTS.md (unless BENCH_RESULTS=0). */
export function report(lines: string[]): void {
  const text = ["", ...lines, ""].join("\n");
  process.stdout.write(text);
  if (process.env.BENCH_RESULTS !== "0")
    appendFileSync(new URL("./RESULTS.md", import.meta.url), text);
}

/** A markdown table, its columns padded the way Prettier writes them (`npm run lint` checks RESULTS.md). */
export function table(head: string[], rows: string[][]): string[] {
  const cells = [head, ...rows].map((r) => r.map((cell) => cell.replaceAll("|", "\\|")));
  const widths = head.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${widths.map((w, i) => (r[i] ?? "").padEnd(w)).join(" | ")} |`;
  const [top = [], ...body] = cells;
  return [line(top), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)];
}

export const pass = (ok: boolean) => (ok ? "PASS" : "FAIL");
