/**
 * A GitLab runner no one here wrote, gitlab-ci-local, runs a pipeline that includes the
 * component from the checkout (`component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/...@$CI_COMMIT_SHA`,
 * which gitlab-ci-local resolves from the working tree when the project path is the origin's and
 * the ref is HEAD) against the simulator: the component's job downloads `build`, a later job
 * reads the dotenv report and the files through artifacts, and a cleanup job, the component again
 * with `mode: delete` and a maintainer token, deletes them.
 *
 * Shell executor (`--force-shell-executor`: the component's job names an image, and there is no
 * Docker) with `--shell-isolation`, so that each job has its own build folder and a later job sees
 * only what reached it as artifacts. gitlab-ci-local passes artifacts with rsync.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { DIST } from "../../scripts/build.ts";
import { COMPONENT_YML } from "../../scripts/generate.ts";
import type { Simulator } from "../simulator/index.ts";
import type { LoggedRequest } from "../simulator/log.ts";
import { ciEnv, tempDir } from "../support/run.ts";
import { JOB_TOKEN, MAINTAINER, simulate } from "../support/sim.ts";

const exec = promisify(execFile);

const GCL = fileURLToPath(import.meta.resolve("gitlab-ci-local"));
const GCL_VERSION = (
  JSON.parse(
    await readFile(fileURLToPath(import.meta.resolve("gitlab-ci-local/package.json")), "utf8"),
  ) as { version: string }
).version;
const FIXTURE = fileURLToPath(
  new URL("./fixtures/gitlab-ci-local/.gitlab-ci.yml", import.meta.url),
);
/** The sample scenario's project 42: the origin of the throwaway repository. */
const PROJECT_PATH = "demo/app";
const BUILD = 1001;

interface Run {
  code: number;
  /** stdout and stderr, colour codes removed. */
  output: string;
}

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");

async function git(cwd: string, ...args: string[]): Promise<void> {
  await exec("git", args, { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd } });
}

/** A git repository holding the fixture pipeline and the generated component, committed. */
async function checkout(dir: string, sim: Simulator): Promise<string> {
  const repo = join(dir, "repo");
  await mkdir(join(repo, "templates"), { recursive: true });
  await copyFile(FIXTURE, join(repo, ".gitlab-ci.yml"));
  await copyFile(COMPONENT_YML, join(repo, "templates/pipeline-artifacts.yml"));
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "config", "user.name", "Test");
  await git(repo, "config", "user.email", "test@example.com");
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", "pipeline and component");
  // gitlab-ci-local derives CI_PROJECT_PATH and CI_SERVER_FQDN from origin (never contacted).
  await git(repo, "remote", "add", "origin", `${sim.url}/${PROJECT_PATH}.git`);
  await git(repo, "update-ref", "refs/remotes/origin/main", "HEAD");
  await git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
  return repo;
}

/** `pipeline-artifacts` on the shell executor's PATH: the committed bundle. */
async function wrapper(dir: string): Promise<string> {
  const bin = join(dir, "bin");
  await mkdir(bin);
  const script = join(bin, "pipeline-artifacts");
  await writeFile(script, `#!/bin/sh\nexec '${process.execPath}' '${DIST}' "$@"\n`);
  await chmod(script, 0o755);
  return bin;
}

async function gitlabCiLocal(
  repo: string,
  dir: string,
  bin: string,
  variables: Record<string, string>,
): Promise<Run> {
  const args = [
    GCL,
    ...["--home", join(dir, "home")],
    "--force-shell-executor",
    "--shell-isolation",
    // CI_* given on purpose: they are the simulated pipeline's, not gitlab-ci-local's own.
    ...["--ignore-predefined-vars", Object.keys(variables).join(",")],
    ...Object.entries(variables).flatMap(([k, v]) => ["--variable", `${k}=${v}`]),
  ];
  // Not the caller's environment: no CI variables of an outer pipeline reach the jobs.
  const env = { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: join(dir, "home") };
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
 * The request matching `match`, once the simulator has logged it: it logs a request when its
 * answer is sent, which may be just after the client has read it (event-driven, bounded).
 */
async function logged(sim: Simulator, match: (e: LoggedRequest) => boolean, what: string) {
  const signal = AbortSignal.timeout(10_000);
  for (;;) {
    const found = sim.log.entries.find(match);
    if (found) return found;
    await once(sim.events, "request", { signal }).catch(() =>
      assert.fail(`no ${what} request reached the simulator`),
    );
  }
}

/**
 * gitlab-ci-local needs git, and rsync to hand artifacts between shell jobs. Without them the
 * test is skipped with what to install, or fails under CI (.ci/run installs rsync).
 */
async function requireTools(t: TestContext): Promise<boolean> {
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
const linesOf = (output: string, job: string) =>
  output
    .split("\n")
    .filter((l) => l.startsWith(`${job} `))
    .map((l) => l.slice(job.length).trimStart());

test(
  `gitlab-ci-local ${GCL_VERSION} runs the component from the checkout: download, a later job, delete`,
  { timeout: 90_000 },
  async (t) => {
    if (!(await requireTools(t))) return;
    const sim = await simulate(t);
    const dir = await tempDir(t);
    const repo = await checkout(dir, sim);
    const bin = await wrapper(dir);
    const run = await gitlabCiLocal(repo, dir, bin, {
      ...ciEnv(sim),
      GITLAB_CI: "true",
      CLEANUP_TOKEN: MAINTAINER,
    });
    assert.equal(run.code, 0, run.output);
    const deleted = await logged(sim, (e) => e.route === "delete-artifacts", "delete");
    const archive = sim.archiveOf(BUILD);
    assert.ok(archive);

    await t.test("every job passes, in stage order", () => {
      const results = [...run.output.matchAll(/^ (PASS|FAIL|WARN) +(\S+)/gm)].map((m) => [
        m[1],
        m[2],
      ]);
      assert.deepEqual(results, [
        ["PASS", "fetch-build"],
        ["PASS", "use-artifacts"],
        ["PASS", "cleanup"],
      ]);
    });

    await t.test("the component's job runs the component's own script line", () => {
      const [, body] = parseAllDocuments(readFileSync(COMPONENT_YML, "utf8")).map((d) =>
        d.toJS(),
      ) as [unknown, Record<string, { script: string[] }>];
      const [line] = body["$[[ inputs.job_name ]]"]?.script ?? [];
      assert.ok(line?.startsWith("pipeline-artifacts "));
      for (const job of ["fetch-build", "cleanup"]) {
        const lines = linesOf(run.output, job);
        assert.ok(lines.includes(`$ ${line}`), `${job} ran: ${line}`);
        // GITLAB_CI=true: collapsible sections, which gitlab-ci-local parses with GitLab's rules.
        assert.ok(lines.includes("pipeline_artifacts_1_started"), lines.join("\n"));
        assert.ok(
          lines.some((l) => /^pipeline_artifacts_1 took \d+ms$/.test(l)),
          lines.join("\n"),
        );
      }
      assert.ok(
        linesOf(run.output, "fetch-build").includes(
          `> build (job ${BUILD}): 1.0 MiB downloaded, sha256 ${archive.sha256}`,
        ),
        run.output,
      );
    });

    await t.test("a later job gets the dotenv variables and the files through artifacts", () => {
      const use = linesOf(run.output, "use-artifacts");
      assert.ok(
        use.includes(
          `> job ${BUILD} of pipeline 500, 5 files, found true, sha256 ${archive.sha256}`,
        ),
        use.join("\n"),
      );
      assert.ok(use.includes("> console.log('hello from build');"), use.join("\n"));
      // bin/latest is a symlink to bin/tool (mode 755): both survived the artifact hand-over.
      assert.ok(use.includes("> tool"), use.join("\n"));
    });

    await t.test("the cleanup job deletes with the maintainer token, once", () => {
      assert.ok(
        linesOf(run.output, "cleanup").includes(`> build (job ${BUILD}): artifacts deleted`),
        run.output,
      );
      const deletes = sim.log.find({ route: "delete-artifacts" });
      assert.deepEqual(deletes, [deleted]);
      assert.equal(deleted.method, "DELETE");
      assert.equal(deleted.path, `/api/v4/projects/42/jobs/${BUILD}/artifacts`);
      assert.equal(deleted.status, 204);
      assert.equal(sim.world.jobs.get(BUILD)?.artifacts?.deleted, true);
    });

    await t.test("the job token up to the cleanup job, the maintainer token only in it", () => {
      const credential = (e: LoggedRequest) =>
        ["job-token", "private-token", "authorization"].filter((h) => h in e.headers);
      const gitlab = sim.log.entries.filter((e) => e.origin === "gitlab");
      const first = gitlab.findIndex((e) => credential(e).includes("private-token"));
      assert.ok(first > 0, "the download came first");
      const download = gitlab.slice(0, first);
      const cleanup = gitlab.slice(first);
      assert.ok(download.some((e) => e.route === "archive" && e.status === 200));
      assert.ok(download.every((e) => credential(e).join() === "job-token"));
      assert.ok(cleanup.every((e) => credential(e).join() === "private-token"));
      assert.ok(cleanup.every((e) => e.route !== "archive"));
      assert.deepEqual(sim.log.leaks, []);
      for (const token of [JOB_TOKEN, MAINTAINER]) assert.ok(!run.output.includes(token));
    });
  },
);
