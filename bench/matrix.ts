/**
 * The harness of `npm run faults` (bench/faults.ts): runs the built CLI as a user would (a
 * subprocess, bounded by a timeout, its process group killed when it hangs) against a fresh
 * simulator per run, snapshots the folder it works in before and after, and classifies the run.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { buffer } from "node:stream/consumers";
import { DIST } from "../scripts/build.ts";
import { type Simulator, type SimulatorOptions, startSimulator } from "../test/simulator/index.ts";
import type { ScenarioSpec } from "../test/simulator/scenario.ts";
import { contentStream, type ZipEntry } from "../test/simulator/zip.ts";

export type Outcome = "correct" | "clean" | "bad";
export const OUTCOME_NAMES: Record<Outcome, string> = {
  correct: "CORRECT",
  clean: "CLEAN FAILURE",
  bad: "BAD",
};

// ---- seeded choices ------------------------------------------------------------------------

/** mulberry32 over a 32-bit hash of the text: the same (kind, seed) always picks the same faults. */
export function prng(text: string): Random {
  let a = createHash("sha256").update(text).digest().readUInt32LE(0);
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  };
}

export interface Random {
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

// ---- what a folder holds -------------------------------------------------------------------

export type Node =
  | { type: "file"; sha256: string; size: number }
  | { type: "dir" }
  | { type: "symlink"; target: string };
/** Relative POSIX path -> what is there. */
export type Tree = Map<string, Node>;

const digest = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Everything under `dir`, symlinks not followed. */
export async function snapshot(dir: string): Promise<Tree> {
  const tree: Tree = new Map();
  const walk = async (abs: string, rel: string) => {
    for (const name of (await readdir(abs)).sort()) {
      const path = join(abs, name);
      const key = rel ? `${rel}/${name}` : name;
      const st = await lstat(path);
      if (st.isSymbolicLink()) tree.set(key, { type: "symlink", target: await readlink(path) });
      else if (st.isDirectory()) {
        tree.set(key, { type: "dir" });
        await walk(path, key);
      } else {
        const data = await readFile(path);
        tree.set(key, { type: "file", sha256: digest(data), size: data.length });
      }
    }
  };
  await walk(dir, "");
  return tree;
}

/** What extracting these entries into an empty folder gives (generated contents seeded as writeZip does). */
export async function treeOf(entries: ZipEntry[]): Promise<Tree> {
  const tree: Tree = new Map();
  const parents = (name: string) => {
    for (let p = posix.dirname(name); p !== "."; p = posix.dirname(p)) tree.set(p, { type: "dir" });
  };
  for (const e of entries) {
    const name = e.name.replace(/\/+$/, "");
    parents(name);
    if (e.type === "directory") tree.set(name, { type: "dir" });
    else if (e.type === "symlink") tree.set(name, { type: "symlink", target: e.target });
    else {
      const c = e.content;
      const data = await buffer(contentStream("size" in c ? { ...c, seed: c.seed ?? e.name } : c));
      tree.set(name, { type: "file", sha256: digest(data), size: data.length });
    }
  }
  return tree;
}

/** `base` with `over` laid on top (a destination's prior content, then what a run adds). */
export const overlay = (base: Tree, over: Tree): Tree => new Map([...base, ...over]);

/** Differences, worded briefly; empty when the trees are equal. */
export function differences(want: Tree, got: Tree): string[] {
  const out: string[] = [];
  for (const [path, node] of want) {
    const g = got.get(path);
    if (!g) out.push(`missing ${path}`);
    else if (JSON.stringify(g) !== JSON.stringify(node))
      out.push(
        g.type === node.type
          ? `${path} differs${g.type === "file" && node.type === "file" ? ` (${g.size} bytes, want ${node.size})` : ""}`
          : `${path} is a ${g.type}, want a ${node.type}`,
      );
  }
  for (const path of got.keys()) if (!want.has(path)) out.push(`unexpected ${path}`);
  return out;
}

const TEMP = /(^|\/)\.pipeline-artifacts-[^/]*$|\.part$/;
export const tempFiles = (tree: Tree) => [...tree.keys()].filter((p) => TEMP.test(p));

/** A tree's paths under `prefix/`, relative to it. */
export function subtree(tree: Tree, prefix: string): Tree {
  const out: Tree = new Map();
  for (const [p, n] of tree) if (p.startsWith(`${prefix}/`)) out.set(p.slice(prefix.length + 1), n);
  return out;
}
/** A tree without `prefix` and what is under it. */
export function without(tree: Tree, prefix: string): Tree {
  const out: Tree = new Map();
  for (const [p, n] of tree) if (p !== prefix && !p.startsWith(`${prefix}/`)) out.set(p, n);
  return out;
}

// ---- running the CLI -------------------------------------------------------------------------

export interface Exit {
  /** null when killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

export interface Spawn {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  uid?: number;
}

/** Runs `node dist/index.js ...` in its own process group; kills the group at the timeout. */
export function runCli({ args, env, cwd, timeoutMs, uid }: Spawn): Promise<Exit> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST, ...args], {
      cwd,
      // Nothing inherited: no proxy, CI variable or token of this machine reaches the run.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        ms: performance.now() - started,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

/** A raw Node stack or the CLI's catch-all: a bug, whatever the exit code. */
export function crashed(exit: Exit): string | undefined {
  const text = `${exit.stderr}\n${exit.stdout}`;
  const unexpected = /unexpected error[^\n]*/.exec(text)?.[0];
  if (unexpected) return `crash: "${unexpected.slice(0, 160)}"`;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(text)) return `crash: a raw stack trace (${firstLine(exit)})`;
  return undefined;
}

/** The message of a failed run: its first line, shortened. */
export function firstLine(exit: Exit): string {
  const line =
    exit.stderr
      .split("\n")
      .find((l) => l.startsWith("pipeline-artifacts:"))
      ?.replace(/^pipeline-artifacts:\s*/, "") ??
    exit.stderr.trim().split("\n").at(-1) ??
    "";
  return line.length > 180 ? `${line.slice(0, 177)}...` : line;
}

// ---- one run in a sandbox ------------------------------------------------------------------------

export const KEEP = "kept from before\n";
export const VICTIM = "outside the destination\n";

/**
 * A run's folder: `root/dest` (the destination, holding keep.txt) and `root/outside` (a sibling
 * that must never change), plus whatever `prepare` adds.
 */
export interface Sandbox {
  root: string;
  dest: string;
  sim: Simulator;
}

export interface RunSpec {
  scenario: ScenarioSpec;
  simulator?: Omit<SimulatorOptions, "scenario">;
  /** Arguments after `node dist/index.js`; `{dest}` is replaced by the destination. */
  args: (box: Sandbox) => string[];
  env: (box: Sandbox) => Record<string, string>;
  /** Faults, pre-existing files, listeners: set up after the simulator starts. */
  prepare?: (box: Sandbox) => Promise<void> | void;
  timeoutMs: number;
  uid?: number;
}

export interface Ran {
  exit: Exit;
  before: Tree;
  after: Tree;
  leaks: string[];
  requests: number;
  /** Requests a fault was applied to. */
  faulted: number;
  box: Sandbox;
}

export async function sandboxed<T>(spec: RunSpec, judge: (ran: Ran) => T | Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), "pa-faults-"));
  const dest = join(root, "dest");
  let sim: Simulator | undefined;
  try {
    await mkdir(dest);
    await writeFile(join(dest, "keep.txt"), KEEP);
    await mkdir(join(root, "outside"));
    await writeFile(join(root, "outside", "victim.txt"), VICTIM);
    sim = await startSimulator({ scenario: spec.scenario, ...spec.simulator });
    const box: Sandbox = { root, dest, sim };
    await spec.prepare?.(box);
    const before = await snapshot(root);
    const exit = await runCli({
      args: spec.args(box),
      env: spec.env(box),
      cwd: root,
      timeoutMs: spec.timeoutMs,
      ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    });
    const after = await snapshot(root);
    const leaks = sim.log.leaks.map((l) => `${l.method} ${l.path}: ${l.leakedCredential}`);
    const { entries } = sim.log;
    const faulted = entries.filter((e) => e.faults.length > 0).length;
    return await judge({ exit, before, after, leaks, requests: entries.length, faulted, box });
  } finally {
    await sim?.close();
    await rm(root, { recursive: true, force: true });
  }
}

export interface Verdict {
  outcome: Outcome;
  /** One line: why BAD, or the failure's message. */
  reason: string;
}

/**
 * A download run judged against what it may do: CORRECT (exit 0, the destination holds one of
 * `wanted` exactly, nothing else changed, no temp files, no leak), CLEAN FAILURE (exit 1 with a
 * message, everything as it was, no leak), else BAD. An outcome outside `expect` is BAD too.
 */
export function judgeDownload(ran: Ran, wanted: Tree[], expect: readonly Outcome[]): Verdict {
  const { exit, before, after, leaks } = ran;
  const bad = (reason: string): Verdict => ({ outcome: "bad", reason });
  if (exit.timedOut)
    return bad(`hang: still running after ${Math.round(exit.ms / 1000)} s, killed`);
  if (exit.code === null) return bad(`killed by ${exit.signal}`);
  const crash = crashed(exit);
  if (crash) return bad(crash);
  if (leaks.length > 0) return bad(`a GitLab token reached object storage (${leaks[0]})`);
  const temps = tempFiles(after);
  if (temps.length > 0) return bad(`temporary files left: ${temps.slice(0, 3).join(", ")}`);
  const outside = differences(without(before, "dest"), without(after, "dest"));
  if (outside.length > 0)
    return bad(`wrote outside the destination: ${outside.slice(0, 3).join(", ")}`);
  let verdict: Verdict;
  if (exit.code === 0) {
    const prior = subtree(before, "dest");
    const got = subtree(after, "dest");
    const diffs = wanted.map((w) => differences(overlay(prior, w), got));
    const best = diffs.reduce<string[] | undefined>(
      (a, b) => (a === undefined || b.length < a.length ? b : a),
      undefined,
    );
    if (best === undefined) verdict = bad("exit 0 where only a refusal will do");
    else if (best.length === 0) verdict = { outcome: "correct", reason: "" };
    else
      verdict = bad(
        `exit 0 with wrong files: ${best.slice(0, 4).join(", ")}${best.length > 4 ? ", ..." : ""}`,
      );
  } else if (exit.code === 2)
    verdict = bad(`exit 2 (bad input) for a valid input: ${firstLine(exit)}`);
  else if (exit.code !== 1) verdict = bad(`exit ${exit.code}: ${firstLine(exit)}`);
  else {
    const changed = differences(subtree(before, "dest"), subtree(after, "dest"));
    if (changed.length > 0)
      verdict = bad(`failed and left the destination changed: ${changed.slice(0, 3).join(", ")}`);
    else if (!firstLine(exit)) verdict = bad("exit 1 without a message");
    else verdict = { outcome: "clean", reason: firstLine(exit) };
  }
  if (verdict.outcome !== "bad" && !expect.includes(verdict.outcome))
    return bad(
      `expected ${expect.map((o) => OUTCOME_NAMES[o]).join(" or ")}, got ${OUTCOME_NAMES[verdict.outcome]}${verdict.reason ? `: ${verdict.reason}` : ""}`,
    );
  return verdict;
}

// ---- many runs, bounded --------------------------------------------------------------------

/** Runs `tasks` at most `limit` at a time, in order of start. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
