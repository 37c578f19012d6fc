/**
 * Drives gitlab-ci-local, a GitLab runner no one here wrote, on a throwaway git repository: shell
 * executor (`--force-shell-executor`: jobs name images, and there is no Docker) with
 * `--shell-isolation`, so that each job has its own build folder and a later job sees only what
 * reached it as artifacts (gitlab-ci-local passes them with rsync). `pipeline-artifacts` on the
 * jobs' PATH is the committed bundle.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { DIST } from "../../scripts/build.ts";
import type { Simulator } from "../simulator/index.ts";

const exec = promisify(execFile);

export const GCL = fileURLToPath(import.meta.resolve("gitlab-ci-local"));
export const GCL_VERSION = (
  JSON.parse(
    await readFile(fileURLToPath(import.meta.resolve("gitlab-ci-local/package.json")), "utf8"),
  ) as { version: string }
).version;
export interface Run {
  code: number;
  /** stdout and stderr, colour codes removed. */
  output: string;
}

// eslint-disable-next-line no-control-regex
export const plain = (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");

export async function git(cwd: string, ...args: string[]): Promise<void> {
  await exec("git", args, { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd } });
}

/**
 * A git repository holding `files` (path in the repository -> file to copy), committed, with
 * the simulator's `projectPath` as origin: gitlab-ci-local derives CI_PROJECT_PATH and
 * CI_SERVER_FQDN from it (never contacted), and reads a component included as
 * `$CI_SERVER_FQDN/$CI_PROJECT_PATH/...@$CI_COMMIT_SHA` from the checkout.
 */
export async function checkout(
  dir: string,
  sim: Simulator,
  projectPath: string,
  files: Record<string, string>,
): Promise<string> {
  const repo = join(dir, "repo");
  for (const [to, from] of Object.entries(files)) {
    await mkdir(dirname(join(repo, to)), { recursive: true });
    await copyFile(from, join(repo, to));
  }
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "config", "user.name", "Test");
  await git(repo, "config", "user.email", "test@example.com");
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", "pipeline and component");
  await git(repo, "remote", "add", "origin", `${sim.url}/${projectPath}.git`);
  await git(repo, "update-ref", "refs/remotes/origin/main", "HEAD");
  await git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
  return repo;
}

/** `pipeline-artifacts` on the shell executor's PATH: the committed bundle. */
export async function wrapper(dir: string): Promise<string> {
  const bin = join(dir, "bin");
  await mkdir(bin);
  const script = join(bin, "pipeline-artifacts");
  await writeFile(script, `#!/bin/sh\nexec '${process.execPath}' '${DIST}' "$@"\n`);
  await chmod(script, 0o755);
  return bin;
}

export async function gitlabCiLocal(
  repo: string,
  dir: string,
  bin: string,
  variables: Record<string, string>,
  /** The jobs to run; all when empty. */
  jobs: string[] = [],
): Promise<Run> {
  // The variables go in the home variables file, which child pipelines read too (`--variable`
  // values do not reach them: gitlab-ci-local replaces them with the trigger job's variables).
  const home = join(dir, "home");
  await mkdir(join(home, ".gitlab-ci-local"), { recursive: true });
  await writeFile(
    join(home, ".gitlab-ci-local", "variables.yml"),
    stringify({ global: variables }),
  );
  const args = [
    GCL,
    ...jobs,
    ...["--home", home],
    "--force-shell-executor",
    "--shell-isolation",
    // CI_* given on purpose: they are the simulated pipeline's, not gitlab-ci-local's own.
    ...["--ignore-predefined-vars", [...Object.keys(variables), "CI_PIPELINE_SOURCE"].join(",")],
  ];
  // Not the caller's environment: no CI variables of an outer pipeline reach the jobs.
  const env = { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: home };
  try {
    const { stdout, stderr } = await exec(process.execPath, args, {
      cwd: repo,
      env,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: plain(stdout + stderr) };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof err.code !== "number") throw e;
    return { code: err.code, output: plain((err.stdout ?? "") + (err.stderr ?? "")) };
  }
}

/**
 * gitlab-ci-local needs git, and rsync to hand artifacts between shell jobs. Without them the
 * test is skipped with what to install, or fails under CI (.ci/run installs rsync).
 */
export async function requireTools(t: TestContext): Promise<boolean> {
  const missing: string[] = [];
  for (const tool of ["git", "rsync"])
    await exec(tool, ["--version"]).catch(() => missing.push(tool));
  if (missing.length === 0) return true;
  const message = `gitlab-ci-local needs ${missing.join(" and ")} on PATH (apt-get install ${missing.join(" ")})`;
  if (process.env.CI) assert.fail(message);
  t.skip(message);
  return false;
}

/** The lines a job printed (gitlab-ci-local prefixes each with the padded job name). */
export const linesOf = (output: string, job: string) =>
  output
    .split("\n")
    .filter((l) => l.startsWith(`${job} `))
    .map((l) => l.slice(job.length).trimStart());
