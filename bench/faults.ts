/**
 * `npm run faults`: proves (or disproves) the tool's reliability by running the built CLI
 * (`node dist/index.js`, a subprocess, as a user would) against the simulator through many
 * seeded runs, each classified as CORRECT, CLEAN FAILURE or BAD (see bench/matrix.ts):
 *
 * - faults: network and server faults while listing jobs and downloading, in the three storage
 *   modes (local, object-storage redirect, proxy), offsets and counts from a seeded PRNG;
 * - hostile: hostile and broken archives, which must be refused leaving everything as it was
 *   (valid ones must be extracted exactly);
 * - inputs: bad inputs, which must exit 2 naming the input before any request, and unreachable
 *   GitLab URLs, which must fail quickly naming the URL.
 *
 * Environment: FAULTS_SEEDS (seeds per fault kind, default 3), FAULTS_TIMEOUT (seconds a run
 * may take before it counts as a hang, default 60), FAULTS_KIND (comma-separated kinds or
 * matrices to run, by prefix: `stall`, `hostile`, `input:token`), FAULTS_SEED (only this seed),
 * FAULTS_JOBS (runs at once, default 3: most runs wait on timers, not the CPU). One BAD run is
 * reproduced with `FAULTS_KIND=<kind> FAULTS_SEED=<seed> npm run faults`, as the report prints.
 * Exits 1 when any run is BAD.
 */
import { chmod, mkdir, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Simulator } from "../test/simulator/index.ts";
import type { FaultFilter } from "../test/simulator/faults.ts";
import type { ScenarioSpec, StorageMode } from "../test/simulator/scenario.ts";
import type { ZipEntry, ZipOptions } from "../test/simulator/zip.ts";
import {
  crashed,
  differences,
  firstLine,
  judgeDownload,
  OUTCOME_NAMES,
  type Outcome,
  pool,
  prng,
  type Random,
  type Ran,
  type RunSpec,
  type Sandbox,
  sandboxed,
  type Tree,
  treeOf,
  type Verdict,
} from "./matrix.ts";

const SEEDS = Number(process.env.FAULTS_SEEDS ?? 3);
const TIMEOUT_MS = Number(process.env.FAULTS_TIMEOUT ?? 60) * 1000;
const ONLY = (process.env.FAULTS_KIND ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const ONLY_SEED =
  process.env.FAULTS_SEED === undefined ? undefined : Number(process.env.FAULTS_SEED);
const JOBS = Number(process.env.FAULTS_JOBS ?? 3);

const TOKEN = "glpat-fault-matrix-secret";
const JOB = 1;

// ---- the scenario every fault run downloads from -----------------------------------------------

/** A build's output: folders, an executable, a symlink, a big stored file and a deflated log. */
const FILES: ZipEntry[] = [
  { type: "file", name: "README.md", content: { text: "# build output\n" } },
  { type: "directory", name: "docs/" },
  { type: "file", name: "docs/index.html", content: { text: "<h1>docs</h1>\n" } },
  { type: "file", name: "bin/tool", content: { text: "#!/bin/sh\necho tool\n" }, mode: 0o755 },
  // Large enough (with the rest, past 8 MiB) that extraction follows the download
  // (transfer/overlap.ts): every body fault lands while entries are being extracted.
  {
    type: "file",
    name: "data/random.bin",
    content: { size: 9_000_000, fill: "random" },
    method: "store",
  },
  { type: "file", name: "logs/build.log", content: { size: 600_000, fill: "text" } },
  { type: "symlink", name: "latest.log", target: "logs/build.log" },
];
/** What the archive becomes when it is replaced mid-download. */
const REPLACEMENT: ZipEntry[] = [
  ...FILES.map((f) =>
    f.name === "data/random.bin" && f.type === "file"
      ? { ...f, content: { size: 8_900_000, fill: "random" as const, seed: "v2" } }
      : f,
  ),
  { type: "file", name: "NEW.txt", content: { text: "uploaded again\n" } },
];
/** With `paths`: only these entries are read. */
const PATHS = "bin/**,logs/**";
const inPaths = (e: ZipEntry) => /^(bin|logs)\//.test(e.name);

/** Project 7, pipeline 5: the job with artifacts among 40 without, so the listing is long. */
function scenario(
  files: ZipEntry[],
  storage: StorageMode = "local",
  zip?: ZipOptions,
): ScenarioSpec {
  return {
    projects: [
      {
        id: 7,
        path: "group/app",
        pipelines: [
          {
            id: 5,
            jobs: [
              { id: JOB, name: "build", artifacts: { files, storage, ...(zip ? { zip } : {}) } },
              ...Array.from({ length: 40 }, (_, i) => ({
                id: 100 + i,
                name: `lint ${i + 1}/40`,
                stage: "lint",
              })),
            ],
          },
        ],
      },
    ],
    tokens: [{ token: TOKEN, type: "personal" }],
  };
}

const ciEnv = (box: Sandbox): Record<string, string> => ({
  CI_API_V4_URL: box.sim.apiUrl,
  CI_PROJECT_ID: "7",
  CI_PIPELINE_ID: "5",
  GITLAB_TOKEN: TOKEN,
});

// ---- the fault matrix ------------------------------------------------------------------------

const MODES: readonly StorageMode[] = ["local", "object", "proxy"];
type Target = "listing" | "redirect" | "body" | "store";

interface FaultCase {
  storage: StorageMode;
  expect: readonly Outcome[];
  /** Read only PATHS out of the archive (HTTP ranges) instead of downloading it whole. */
  paths?: boolean;
  singleUseUrls?: boolean;
  /** The archive's contents may also be these when the run ends (replaced meanwhile). */
  replaced?: boolean;
  /** Injects the faults; says what it injected. */
  setup(sim: Simulator, size: number): string;
}

/** Where a fault goes: the job listing, GitLab's archive route, or the object store. */
function where(target: Target, storage: StorageMode): FaultFilter {
  if (target === "listing") return { route: "pipeline-jobs" };
  if (target === "store" || (target === "body" && storage === "object"))
    return { origin: "storage" };
  return { route: "archive" };
}

/** The listing's first page is about this long (41 jobs). */
const LISTING_BYTES = 60_000;

/** A byte offset inside what `target` sends. */
function offset(r: Random, target: Target, storage: StorageMode, size: number): number {
  if (target === "listing") return r.int(0, LISTING_BYTES);
  // GitLab's redirect answer is a short text; the rest carry the archive.
  if (target === "redirect" && storage === "object") return r.int(0, 200);
  return r.int(1, size - 1);
}

const bodyTargets = (storage: StorageMode): Target[] =>
  storage === "local" ? ["listing", "body"] : ["listing", "body", "store"];

const FAULTS: Record<string, (r: Random, seed: number) => FaultCase> = {
  "listing-reset": (r, seed) => ({
    storage: MODES[seed % 3] as StorageMode,
    expect: ["correct"],
    setup(sim) {
      const afterBytes = r.int(0, LISTING_BYTES);
      const times = r.int(1, 3);
      sim.inject({ route: "pipeline-jobs", kind: "reset", afterBytes, times });
      return `listing reset after ${afterBytes} bytes, ${times}x`;
    },
  }),
  "download-reset": (r, seed) => {
    const storage = MODES[seed % 3] as StorageMode;
    return {
      storage,
      expect: ["correct"],
      setup(sim, size) {
        // Object storage: GitLab's answer is the redirect; the archive itself is the store's.
        const target: Target = storage === "object" ? "redirect" : "body";
        const afterBytes = offset(r, target, storage, size);
        const times = r.int(1, 3);
        sim.inject({ ...where(target, storage), kind: "reset", afterBytes, times });
        return `GitLab's ${storage === "object" ? "redirect" : "archive"} answer reset after ${afterBytes} bytes, ${times}x`;
      },
    };
  },
  "store-reset": (r, seed) => ({
    storage: seed % 2 === 0 ? "object" : "proxy",
    expect: ["correct"],
    setup(sim, size) {
      const afterBytes = r.int(1, size - 1);
      const times = r.int(1, 3);
      sim.inject({ origin: "storage", kind: "reset", afterBytes, times });
      return `object store reset after ${afterBytes} bytes, ${times}x`;
    },
  }),
  "5xx-short": (r, seed) => burst(r, MODES[seed % 3] as StorageMode, r.int(1, 3), ["correct"]),
  "5xx-long": (r, seed) => burst(r, MODES[seed % 3] as StorageMode, 50, ["clean"]),
  "429-retry-after": (r, seed) => ({
    storage: MODES[seed % 3] as StorageMode,
    expect: ["correct"],
    setup(sim) {
      const target = r.pick<Target>(["listing", "redirect"]);
      const retryAfter = r.int(1, 2);
      const times = r.int(1, 2);
      sim.inject({ ...where(target, "local"), kind: "rate-limit", retryAfter, times });
      return `429 Retry-After ${retryAfter} on the ${target === "listing" ? "listing" : "archive route"}, ${times}x`;
    },
  }),
  "429-no-retry-after": (r, seed) => ({
    storage: MODES[seed % 3] as StorageMode,
    expect: ["correct"],
    setup(sim) {
      const target = r.pick<Target>(["listing", "redirect"]);
      const times = r.int(1, 3);
      sim.inject({ ...where(target, "local"), kind: "app-rate-limit", times });
      return `application 429 (no Retry-After) on the ${target === "listing" ? "listing" : "archive route"}, ${times}x`;
    },
  }),
  "429-ratelimit-reset": (r, seed) => ({
    storage: MODES[seed % 3] as StorageMode,
    expect: ["correct"],
    setup(sim) {
      const target = r.pick<Target>(["listing", "redirect"]);
      const retryAfter = r.int(1, 2);
      const times = r.int(1, 2);
      sim.inject({
        ...where(target, "local"),
        kind: "rate-limit",
        retryAfter,
        resetOnly: true,
        times,
      });
      return `429 with only RateLimit-Reset (+${retryAfter} s) on the ${target === "listing" ? "listing" : "archive route"}, ${times}x`;
    },
  }),
  truncate: (r, seed) => {
    const storage = MODES[seed % 3] as StorageMode;
    return {
      storage,
      expect: ["correct"],
      setup(sim, size) {
        const target = r.pick(bodyTargets(storage));
        const afterBytes = offset(r, target, storage, size);
        const times = r.int(1, 3);
        sim.inject({ ...where(target, storage), kind: "truncate", afterBytes, times });
        return `${target} truncated after ${afterBytes} bytes, ${times}x`;
      },
    };
  },
  corrupt: (r, seed) => {
    const storage = MODES[seed % 3] as StorageMode;
    return {
      storage,
      // Caught (a clean failure) or harmless (a byte no reader looks at): both are fine.
      expect: ["correct", "clean"],
      setup(sim, size) {
        // Odd seeds aim at the central directory (the last few hundred bytes, before the end
        // record): names, sizes and offsets live there, and no CRC covers them.
        const inDirectory = seed % 2 === 1;
        const atByte = inDirectory ? r.int(size - 420, size - 23) : r.int(0, size - 1);
        sim.inject({ ...where("body", storage), kind: "corrupt", atByte, times: 1 });
        return `archive byte ${atByte} of ${size}${inDirectory ? " (central directory)" : ""} flipped once`;
      },
    };
  },
  "ignore-range": (r, seed) => {
    const storage = MODES[seed % 3] as StorageMode;
    const paths = seed % 2 === 1;
    return {
      storage,
      paths,
      expect: ["correct"],
      setup(sim, size) {
        if (paths) {
          sim.inject({ ...where("body", storage), kind: "ignore-range" });
          return "every Range answered 200 with the whole archive, with paths";
        }
        const afterBytes = r.int(1, size - 1);
        sim.inject({ ...where("body", storage), kind: "reset", afterBytes, times: 1 });
        sim.inject({ ...where("body", storage), kind: "ignore-range", skip: 1, times: 1 });
        return `reset after ${afterBytes} bytes, then the resume answered 200`;
      },
    };
  },
  "archive-replaced": (r, seed) => {
    const storage = MODES[seed % 3] as StorageMode;
    const paths = seed % 2 === 1;
    return {
      storage,
      paths,
      replaced: true,
      // A whole download restarts on the new archive; reading remotely must notice the change.
      expect: paths ? ["correct", "clean"] : ["correct"],
      setup(sim, size) {
        const bodies = where("body", storage);
        let swapped = false;
        const swap = () => {
          if (swapped) return;
          swapped = true;
          sim.setArchive(JOB, replacement);
        };
        if (paths) {
          // After the first ranged read (the archive's tail), before the central directory.
          sim.events.on("request", (e: { route: string; origin: string; status: number }) => {
            if (e.status === 206) swap();
          });
          return "archive replaced after the first ranged read, with paths";
        }
        const afterBytes = r.int(Math.floor(size / 4), Math.floor((3 * size) / 4));
        sim.inject({ ...bodies, kind: "reset", afterBytes, times: 1 });
        sim.events.on("request", (e: { outcome: string }) => {
          if (e.outcome === "reset") swap();
        });
        return `reset after ${afterBytes} bytes, archive replaced before the resume`;
      },
    };
  },
  slow: (r, seed) => {
    const storage = MODES[seed % 3] as StorageMode;
    return {
      storage,
      expect: ["correct"],
      setup(sim) {
        const bytesPerSecond = r.int(256, 1024) * 1024;
        const ms = r.int(20, 150);
        sim.inject({ ...where("body", storage), kind: "throughput", bytesPerSecond });
        sim.inject({ origin: "gitlab", kind: "latency", ms });
        return `archive at ${Math.round(bytesPerSecond / 1024)} KiB/s, ${ms} ms latency on GitLab`;
      },
    };
  },
  "single-use-url": (r, seed) => {
    const paths = seed % 2 === 1;
    return {
      storage: "object",
      singleUseUrls: true,
      paths,
      expect: ["correct"],
      setup(sim, size) {
        if (paths) return "one-time signed URLs, with paths (several ranged reads)";
        const afterBytes = r.int(1, size - 1);
        const times = r.int(1, 2);
        sim.inject({ origin: "storage", kind: "reset", afterBytes, times });
        return `one-time signed URLs, store reset after ${afterBytes} bytes, ${times}x`;
      },
    };
  },
  stall: (r, seed) => {
    const storage = MODES[seed % 3] as StorageMode;
    return {
      storage,
      // A stalled answer must be given up on (and retried or reported), never waited on forever.
      expect: ["correct", "clean"],
      setup(sim, size) {
        const targets = bodyTargets(storage);
        const target = targets[seed % targets.length] as Target;
        const afterBytes = offset(r, target, storage, size);
        sim.inject({ ...where(target, storage), kind: "stall", afterBytes, times: 1 });
        return `${target} stalls after ${afterBytes} bytes (connection held open), once`;
      },
    };
  },
};

function burst(r: Random, storage: StorageMode, times: number, expect: Outcome[]): FaultCase {
  return {
    storage,
    expect,
    setup(sim) {
      const target = r.pick<Target>(
        storage === "local" ? ["listing", "redirect"] : ["listing", "redirect", "store"],
      );
      const status = r.pick([500, 502, 503, 504]);
      sim.inject({ ...where(target, storage), kind: "status", status, times });
      return `${status} x${times} on the ${target === "redirect" ? "archive route" : target}`;
    },
  };
}

let replacement: Awaited<ReturnType<Simulator["buildArchive"]>>;
const TREES: { old: Tree; new: Tree; oldPaths: Tree; newPaths: Tree } = {
  old: await treeOf(FILES),
  new: await treeOf(REPLACEMENT),
  oldPaths: await treeOf(FILES.filter(inPaths)),
  newPaths: await treeOf(REPLACEMENT.filter(inPaths)),
};

interface Planned {
  matrix: "faults" | "hostile" | "inputs";
  kind: string;
  seed: number;
  run(): Promise<Verdict & { label: string }>;
}

function faultRun(kind: string, seed: number): Planned {
  const r = prng(`${kind}:${seed}`);
  const c = (FAULTS[kind] as (r: Random, seed: number) => FaultCase)(r, seed);
  let label = "";
  const spec: RunSpec = {
    scenario: scenario(FILES, c.storage),
    simulator: c.singleUseUrls ? { singleUseUrls: true } : {},
    args: (box) => [
      "download",
      "--job",
      "build",
      "--path",
      box.dest,
      ...(c.paths ? ["--paths", PATHS] : []),
    ],
    env: ciEnv,
    timeoutMs: TIMEOUT_MS,
    async prepare(box) {
      replacement ??= await box.sim.buildArchive({ files: REPLACEMENT });
      label = `${c.storage}${c.paths ? " +paths" : ""}: ${c.setup(box.sim, box.sim.archiveOf(JOB)?.size ?? 0)}`;
    },
  };
  const wanted = c.paths
    ? [TREES.oldPaths, ...(c.replaced ? [TREES.newPaths] : [])]
    : [TREES.old, ...(c.replaced ? [TREES.new] : [])];
  return {
    matrix: "faults",
    kind,
    seed,
    run: () =>
      sandboxed(spec, (ran) => ({
        ...judgeDownload(ran, wanted, c.expect),
        label: `${label} [${ran.faulted} of ${ran.requests} requests faulted]`,
      })),
  };
}

// ---- hostile archives --------------------------------------------------------------------------

const file = (name: string, text = `${name}\n`, extra: Partial<ZipEntry> = {}): ZipEntry =>
  ({ type: "file", name, content: { text }, ...extra }) as ZipEntry;
const dir = (name: string): ZipEntry => ({ type: "directory", name });
const link = (name: string, target: string): ZipEntry => ({ type: "symlink", name, target });
const ABSOLUTE = "/tmp/pa-faults-absolute.txt";

interface HostileCase {
  files: ZipEntry[];
  zip?: ZipOptions;
  args?: string[];
  /** Valid archives must be extracted exactly; hostile ones refused. */
  expect: readonly Outcome[];
  /** What the destination holds before the run, besides keep.txt. */
  prepare?: (box: Sandbox) => Promise<void>;
  /** The archive as served is not a zip at all. */
  notZip?: boolean;
}

const HOSTILE: Record<string, HostileCase> = {
  "zip-slip": { files: [file("fine.txt"), file("../outside/escape.txt")], expect: ["clean"] },
  "zip-slip-nested": {
    files: [file("a/x.txt"), file("a/../../outside/escape.txt")],
    expect: ["clean"],
  },
  absolute: { files: [file(ABSOLUTE)], expect: ["clean"] },
  "windows-drive": { files: [file("C:\\outside\\escape.txt")], expect: ["clean"] },
  "windows-traversal": { files: [file("..\\outside\\escape.txt")], expect: ["clean"] },
  "windows-unc": { files: [file("\\\\server\\share\\escape.txt")], expect: ["clean"] },
  "symlink-escape": { files: [file("fine.txt"), link("out", "../outside")], expect: ["clean"] },
  "symlink-absolute": { files: [link("etc", "/etc")], expect: ["clean"] },
  "symlink-chain": {
    files: [dir("a/"), link("a/b", ".."), link("c", "a/b/..")],
    expect: ["clean"],
  },
  "symlink-chain-write": {
    files: [
      dir("a/"),
      link("a/b", ".."),
      link("c", "a/b/.."),
      link("e", "c/.."),
      file("./e/outside/escape.txt", "escaped\n"),
    ],
    expect: ["clean"],
  },
  "write-through-symlink": {
    files: [dir("sub/"), link("ok", "sub"), file("ok/through.txt")],
    expect: ["clean"],
  },
  "write-through-symlink-dotted": {
    files: [dir("sub/"), link("ok", "sub"), file("./ok/through.txt")],
    expect: ["clean"],
  },
  "write-through-escaping-symlink": {
    files: [link("up", "../outside"), file("up/escape.txt")],
    expect: ["clean"],
  },
  "dest-symlink-folder": {
    // The destination already holds a symlink out of it; the archive writes under its name.
    files: [file("out/escape.txt")],
    prepare: async (box) => symlink("../outside", join(box.dest, "out")),
    expect: ["clean"],
  },
  "dest-symlink-file": {
    // A file replaces a symlink of the same name (rename does not follow it): fine either way,
    // as long as the symlink's target is untouched.
    files: [file("report.txt", "from the archive\n")],
    prepare: async (box) => symlink("../outside/victim.txt", join(box.dest, "report.txt")),
    expect: ["correct", "clean"],
  },
  duplicate: {
    files: [file("dup.txt", "first\n"), file("dup.txt", "second\n")],
    expect: ["clean"],
  },
  "duplicate-spelling": {
    files: [file("a/b.txt", "one\n"), file("a//b.txt", "two\n")],
    expect: ["clean"],
  },
  "symlink-then-file": {
    files: [link("x", "../outside/victim.txt"), file("x", "overwrite\n")],
    expect: ["clean"],
  },
  "over-size": {
    files: [{ type: "file", name: "big.bin", content: { size: 2 << 20, fill: "random" } }],
    args: ["--max-size", "1MiB"],
    expect: ["clean"],
  },
  "over-count": {
    files: [file("1.txt"), file("2.txt"), file("3.txt"), file("4.txt")],
    args: ["--max-files", "3"],
    expect: ["clean"],
  },
  "over-count-default": {
    files: Array.from({ length: 100_001 }, (_, i) => file(`f/${i}`, "")),
    expect: ["clean"],
  },
  "over-ratio": {
    files: [{ type: "file", name: "zeros.bin", content: { size: 8 << 20, fill: "zeros" } }],
    args: ["--max-ratio", "100"],
    expect: ["clean"],
  },
  "crc-mismatch": {
    files: [file("a.txt"), file("corrupt.txt", "these bytes do not match\n", { badCrc: true })],
    expect: ["clean"],
  },
  "size-lie-short": {
    files: [file("a.txt"), file("short.txt", "short\n", { declaredSize: 5000 })],
    expect: ["clean"],
  },
  "size-lie-long": {
    files: [
      { type: "file", name: "liar.bin", content: { size: 8192, fill: "text" }, declaredSize: 100 },
    ],
    expect: ["clean"],
  },
  "truncated-half": {
    files: [...FILES],
    zip: { truncate: 1_000_000 },
    expect: ["clean"],
  },
  "truncated-eocd": {
    files: [file("a.txt"), file("b.txt")],
    zip: { truncate: 200 },
    expect: ["clean"],
  },
  "overlap-bomb": {
    // 200 entries of 1 MiB each out of ~25 KB, every entry under the default max-ratio.
    files: [],
    zip: { overlapBomb: { entries: 200, kernelSize: 1 << 20 } },
    expect: ["clean"],
  },
  "not-a-zip": { files: [file("a.txt")], notZip: true, expect: ["clean"] },
  "valid-benign": {
    files: [
      dir("docs/"),
      file("docs/readme.md", "# hello\n"),
      dir("empty/"),
      file("bin/run", "#!/bin/sh\necho run\n", { mode: 0o755 }),
      link("bin/current", "run"),
      dir("sub/"),
      file("sub/x.txt", "x\n"),
      link("ok", "sub"),
      file("ünïcödé €.txt", "utf-8 name\n"),
    ],
    expect: ["correct"],
  },
  "valid-zip64": { files: [...FILES], zip: { zip64: "force" }, expect: ["correct"] },
  "valid-data-descriptors": {
    files: [...FILES],
    zip: { dataDescriptors: true },
    expect: ["correct"],
  },
  "valid-empty": { files: [], expect: ["correct", "clean"] },
};

function hostileRun(name: string): Planned {
  const c = HOSTILE[name] as HostileCase;
  const spec: RunSpec = {
    scenario: scenario(c.files, "local", c.zip),
    args: (box) => ["download", "--job", "build", "--path", box.dest, ...(c.args ?? [])],
    env: ciEnv,
    timeoutMs: TIMEOUT_MS,
    async prepare(box) {
      await c.prepare?.(box);
      if (c.notZip)
        box.sim.inject({
          route: "archive",
          kind: "status",
          status: 200,
          body: "<!DOCTYPE html><html><body>Sign in</body></html>\n",
        });
    },
  };
  return {
    matrix: "hostile",
    kind: `hostile:${name}`,
    seed: 0,
    run: async () => {
      const { rm } = await import("node:fs/promises");
      await rm(ABSOLUTE, { force: true });
      const wanted = c.expect.includes("correct") ? [await treeOf(c.files)] : [];
      return sandboxed(spec, async (ran) => {
        const verdict: Verdict =
          wanted.length > 0 ? judgeDownload(ran, wanted, c.expect) : refusedArchive(ran, c.expect);
        const { existsSync } = await import("node:fs");
        if (existsSync(ABSOLUTE))
          return {
            outcome: "bad",
            reason: `wrote ${ABSOLUTE}, outside the destination`,
            label: name,
          };
        return { ...verdict, label: name };
      });
    },
  };
}

/** A hostile archive: only a clean refusal will do; an accepted one is BAD with what it wrote. */
function refusedArchive(ran: Ran, expect: readonly Outcome[]): Verdict {
  const verdict = judgeDownload(ran, [], expect);
  if (
    ran.exit.code === 0 &&
    verdict.outcome === "bad" &&
    verdict.reason.startsWith("exit 0 where")
  ) {
    const written = [...ran.after.keys()].filter(
      (p) => p.startsWith("dest/") && !ran.before.has(p),
    );
    const bytes = [...ran.after]
      .filter(([p]) => written.includes(p))
      .reduce((n, [, node]) => n + (node.type === "file" ? node.size : 0), 0);
    return {
      outcome: "bad",
      reason: `accepted: exit 0, ${written.length} paths (${(bytes / 2 ** 20).toFixed(1)} MiB) written`,
    };
  }
  return verdict;
}

// ---- bad inputs --------------------------------------------------------------------------------

interface InputCase {
  args: (box: Sandbox) => string[];
  env?: (box: Sandbox) => Record<string, string>;
  prepare?: (box: Sandbox) => Promise<void>;
  /** 2 for a bad input (named in the message, nothing requested); 1 for a run error. */
  exit: 1 | 2;
  /** The message must contain this (the input's name, or the URL). */
  names: (box: Sandbox) => string;
  /** Secrets that must not appear in the output. */
  secret?: string;
  /** stdout must be one JSON object. */
  json?: boolean;
  /** The failure must come within this many ms. */
  withinMs?: number;
  /** Run once a seed: the outcome depends on the tool's random backoff. */
  perSeed?: boolean;
  uid?: number;
}

const NOBODY = 65534;
const UNRESOLVABLE = `http://${"a".repeat(64)}.invalid/api/v4`;
let refusedPort = 0;
const download = (box: Sandbox, ...more: string[]) => [
  "download",
  "--job",
  "build",
  "--path",
  box.dest,
  ...more,
];

const INPUTS: Record<string, InputCase> = {
  "path-is-file": {
    prepare: (box) => writeFile(join(box.root, "afile"), "a file\n"),
    args: (box) => ["download", "--job", "build", "--path", join(box.root, "afile")],
    exit: 2,
    names: () => "path",
  },
  "path-under-file": {
    prepare: (box) => writeFile(join(box.root, "afile"), "a file\n"),
    args: (box) => ["download", "--job", "build", "--path", join(box.root, "afile", "sub")],
    exit: 2,
    names: () => "path",
  },
  "path-not-writable": {
    // As an unprivileged user: root writes anywhere.
    uid: NOBODY,
    prepare: async (box) => {
      await chmod(box.root, 0o755);
      await mkdir(join(box.root, "readonly"), { mode: 0o555 });
      await chmod(join(box.root, "readonly"), 0o555);
    },
    args: (box) => ["download", "--job", "build", "--path", join(box.root, "readonly", "out")],
    exit: 2,
    names: () => "path",
  },
  "token-crlf": {
    args: (box) => download(box),
    env: (box) => ({ ...ciEnv(box), GITLAB_TOKEN: "glpat-crlf-secret\r\nX-Injected: 1" }),
    exit: 2,
    names: () => "token",
    secret: "glpat-crlf-secret",
  },
  "token-control-char": {
    args: (box) => download(box, "--token", "glpat-bell-secret\x07x"),
    exit: 2,
    names: () => "token",
    secret: "glpat-bell-secret",
  },

  "mode-unknown": {
    args: (box) => ["--job", "build", "--path", box.dest, "--mode", "fetch"],
    exit: 2,
    names: () => "mode",
  },
  "duration-unit": {
    args: (box) => download(box, "--wait", "--wait-timeout", "5x"),
    exit: 2,
    names: () => "wait-timeout",
  },
  "duration-fraction": {
    args: (box) => download(box, "--wait", "--wait-timeout", "1.5h"),
    exit: 2,
    names: () => "wait-timeout",
  },
  "duration-trailing-number": {
    args: (box) => download(box, "--wait", "--wait-timeout", "1h30"),
    exit: 2,
    names: () => "wait-timeout",
  },

  "size-unit": {
    args: (box) => download(box, "--max-size", "10XB"),
    exit: 2,
    names: () => "max-size",
  },
  "size-zero": {
    args: (box) => download(box, "--max-size", "0"),
    exit: 2,
    names: () => "max-size",
  },
  "size-negative": {
    args: (box) => download(box, "--max-size=-5MB"),
    exit: 2,
    names: () => "max-size",
  },
  "status-typo": {
    args: (box) => download(box, "--status", "succes"),
    exit: 2,
    names: () => "status",
  },
  "concurrency-zero": {
    args: (box) => download(box, "--concurrency", "0"),
    exit: 2,
    names: () => "concurrency",
  },
  "concurrency-fraction": {
    args: (box) => download(box, "--concurrency", "1.5"),
    exit: 2,
    names: () => "concurrency",
  },
  "boolean-typo": {
    args: (box) => download(box, "--extract", "ture"),
    exit: 2,
    names: () => "extract",
  },
  "job-and-job-id": {
    args: (box) => download(box, "--job-id", "1"),
    exit: 2,
    names: () => "job-id",
  },
  "paths-and-artifact-path": {
    args: (box) => download(box, "--paths", "logs/", "--artifact-path", "README.md"),
    exit: 2,
    names: () => "paths",
  },
  "paths-without-extract": {
    args: (box) => download(box, "--paths", "logs/", "--extract", "false"),
    exit: 2,
    names: () => "paths",
  },
  "ref-with-glob": {
    args: (box) => ["download", "--job", "build-*", "--ref", "main", "--path", box.dest],
    exit: 2,
    names: () => "ref",
  },
  "artifact-path-traversal": {
    args: (box) => download(box, "--artifact-path", "../secret"),
    exit: 2,
    names: () => "artifact-path",
  },
  "pipeline-id-not-number": {
    args: (box) => download(box),
    env: (box) => ({ ...ciEnv(box), CI_PIPELINE_ID: "abc" }),
    exit: 2,
    names: () => "pipeline-id",
  },
  "project-bad": {
    args: (box) => download(box, "--project", "a b"),
    exit: 2,
    names: () => "project",
  },
  "gitlab-url-ftp": {
    args: (box) => download(box, "--gitlab-url", "ftp://127.0.0.1/api/v4"),
    exit: 2,
    names: () => "gitlab-url",
  },
  "gitlab-url-credentials": {
    args: (box) =>
      download(
        box,
        "--gitlab-url",
        `http://user:pw-secret@127.0.0.1:${new URL(box.sim.url).port}/api/v4`,
      ),
    exit: 2,
    names: () => "gitlab-url",
    secret: "pw-secret",
  },
  "unknown-flag": { args: (box) => download(box, "--jbo", "x"), exit: 2, names: () => "--jbo" },
  "json-bad-input": {
    args: (box) => ["--job", "build", "--path", box.dest, "--json", "--mode", "fetch"],
    exit: 2,
    names: () => "mode",
    json: true,
  },
  "unresolvable-host": {
    args: (box) => download(box, "--gitlab-url", UNRESOLVABLE),
    exit: 1,
    names: () => new URL(UNRESOLVABLE).host,
    withinMs: 10_000,
  },
  "refused-port": {
    args: (box) => download(box, "--gitlab-url", `http://127.0.0.1:${refusedPort}/api/v4`),
    exit: 1,
    names: () => `127.0.0.1:${refusedPort}`,
    withinMs: 16_000,
    perSeed: true,
  },
  "json-run-failure": {
    args: (box) => ["download", "--job", "no-such-job", "--path", box.dest, "--json"],
    exit: 1,
    names: () => "no-such-job",
    json: true,
  },
};

function inputRun(name: string, seed: number): Planned {
  const c = INPUTS[name] as InputCase;
  const spec: RunSpec = {
    scenario: scenario(FILES),
    args: c.args,
    env: c.env ?? ciEnv,
    timeoutMs: TIMEOUT_MS,
    ...(c.uid === undefined ? {} : { uid: c.uid }),
    async prepare(box) {
      await c.prepare?.(box);
    },
  };
  return {
    matrix: "inputs",
    kind: `input:${name}`,
    seed,
    run: () => sandboxed(spec, (ran) => ({ ...judgeInput(ran, c), label: name })),
  };
}

function judgeInput(ran: Ran, c: InputCase): Verdict {
  const { exit } = ran;
  const bad = (reason: string): Verdict => ({ outcome: "bad", reason });
  if (exit.timedOut)
    return bad(`hang: still running after ${Math.round(exit.ms / 1000)} s, killed`);
  const crash = crashed(exit);
  if (crash) return bad(`exit ${exit.code}, ${crash}`);
  const output = exit.stdout + exit.stderr;
  if (c.secret && output.includes(c.secret)) return bad("printed the secret it was given");
  if (exit.code !== c.exit)
    return bad(`exit ${exit.code}, want ${c.exit}${exit.code === 0 ? "" : `: ${firstLine(exit)}`}`);
  if (c.exit === 2 && ran.requests > 0)
    return bad(`exit 2, but after ${ran.requests} request(s) to GitLab`);
  const names = c.names(ran.box);
  if (!exit.stderr.includes(names))
    return bad(`the message does not name ${names}: ${firstLine(exit) || "(no message)"}`);
  if (c.withinMs !== undefined && exit.ms > c.withinMs)
    return bad(`took ${(exit.ms / 1000).toFixed(1)} s to fail, want under ${c.withinMs / 1000} s`);
  if (c.json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(exit.stdout);
    } catch {
      return bad(
        `--json: stdout is not one JSON object (${JSON.stringify(exit.stdout.slice(0, 60))})`,
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return bad("--json: stdout is JSON but not an object");
  }
  const changed = differences(ran.before, ran.after);
  if (changed.length > 0) return bad(`changed the disk: ${changed.slice(0, 3).join(", ")}`);
  return { outcome: "clean", reason: firstLine(exit) };
}

// ---- plan, run, report ------------------------------------------------------------------------

const KINDS = new Set([
  ...Object.keys(FAULTS),
  ...Object.keys(HOSTILE).map((n) => `hostile:${n}`),
  ...Object.keys(INPUTS).map((n) => `input:${n}`),
]);
/** A kind by its exact name (so one command reproduces one run), a matrix, or a prefix. */
const selected = (kind: string, matrix: string) =>
  ONLY.length === 0 ||
  ONLY.some((o) => kind === o || matrix === o || (!KINDS.has(o) && kind.startsWith(o)));

const plan: Planned[] = [];
for (const kind of Object.keys(FAULTS))
  for (let seed = 0; seed < SEEDS; seed++)
    if (selected(kind, "faults") && (ONLY_SEED === undefined || ONLY_SEED === seed))
      plan.push(faultRun(kind, seed));
for (const name of Object.keys(HOSTILE))
  if (selected(`hostile:${name}`, "hostile") && (ONLY_SEED ?? 0) === 0) plan.push(hostileRun(name));
for (const [name, c] of Object.entries(INPUTS))
  for (let seed = 0; seed < (c.perSeed ? SEEDS : 1); seed++)
    if (selected(`input:${name}`, "inputs") && (ONLY_SEED ?? seed) === seed)
      plan.push(inputRun(name, seed));

refusedPort = await freePort();
// Longest first (hangs and long retry bursts), so they overlap the many short runs.
const SLOW = new Set(["stall", "5xx-long", "input:refused-port"]);
const slowFirst = (p: Planned) => (SLOW.has(p.kind) ? 0 : 1);
const order = [...plan].sort((a, b) => slowFirst(a) - slowFirst(b));

process.stdout.write(
  `pipeline-artifacts fault matrix: ${plan.length} runs (${SEEDS} seeds a fault kind), ${JOBS} at a time, ${TIMEOUT_MS / 1000} s per run at most\n`,
);
const started = performance.now();
const results = new Map<Planned, Verdict & { label: string; ms: number }>();
await pool(
  order.map((p) => async () => {
    const t0 = performance.now();
    let v: Verdict & { label: string };
    try {
      v = await p.run();
    } catch (e) {
      v = { outcome: "bad", reason: `the harness failed: ${(e as Error).message}`, label: "" };
    }
    const ms = performance.now() - t0;
    results.set(p, { ...v, ms });
    process.stdout.write(
      `  ${OUTCOME_NAMES[v.outcome].padEnd(13)} ${p.kind} seed ${p.seed} (${(ms / 1000).toFixed(1)} s) ${v.label}${v.reason ? `\n      ${v.outcome === "bad" ? "BAD:" : "says:"} ${v.reason}` : ""}\n`,
    );
  }),
  JOBS,
);

const rows: string[] = [];
let badRuns = 0;
for (const matrix of ["faults", "hostile", "inputs"] as const) {
  const kinds = [...new Set(plan.filter((p) => p.matrix === matrix).map((p) => p.kind))];
  if (kinds.length === 0) continue;
  rows.push(
    "",
    `### ${matrix}`,
    "",
    "| kind | CORRECT | CLEAN FAILURE | BAD |",
    "|---|---|---|---|",
  );
  const total = { correct: 0, clean: 0, bad: 0 };
  for (const kind of kinds) {
    const count = { correct: 0, clean: 0, bad: 0 };
    for (const p of plan.filter((q) => q.kind === kind)) {
      const o = results.get(p)?.outcome ?? "bad";
      count[o]++;
      total[o]++;
    }
    rows.push(`| ${kind} | ${count.correct} | ${count.clean} | ${count.bad} |`);
  }
  rows.push(`| **total** | ${total.correct} | ${total.clean} | ${total.bad} |`);
  badRuns += total.bad;
}
const bads = plan.filter((p) => results.get(p)?.outcome === "bad");
if (bads.length > 0) {
  rows.push("", "### BAD runs", "");
  for (const p of bads) {
    const v = results.get(p);
    rows.push(
      `- ${p.kind} seed ${p.seed} (${v?.label}): ${v?.reason}`,
      `  reproduce: \`FAULTS_KIND=${p.kind} FAULTS_SEED=${p.seed} npm run faults\``,
    );
  }
}
process.stdout.write(
  `${rows.join("\n")}\n\n${plan.length} runs in ${((performance.now() - started) / 1000).toFixed(0)} s; ${badRuns} BAD\n`,
);
process.exitCode = badRuns > 0 ? 1 : 0;

/** A port nothing listens on (bound, then released): connections to it are refused. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
