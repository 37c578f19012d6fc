/**
 * Inputs: a bad one exits 2 with a message naming it and what it accepts, before any request
 * and before anything is written; the accepted forms of each kind of input.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { cli, type Io } from "../../src/faces/cli.ts";
import { type RawInputs, readOptions } from "../../src/inputs/parse.ts";
import { INPUT_NAMES } from "../../src/inputs/schema.ts";
import type { ByNames, DownloadOptions } from "../../src/options.ts";
import type { Simulator } from "../simulator/index.ts";
import { ciEnv, tempDir } from "../support/run.ts";
import { JOB_TOKEN, MAINTAINER, simulate } from "../support/sim.ts";

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  /** The --path given, which must not exist afterwards. */
  out: string;
}

/** Runs the CLI in-process with `env` (default: the sample's CI variables) and --path <tmp>/out. */
async function runCli(
  t: TestContext,
  sim: Simulator,
  argv: string[],
  env: Record<string, string | undefined> = ciEnv(sim),
): Promise<Ran> {
  const cwd = await tempDir(t);
  const out = join(cwd, "out");
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    cwd,
  };
  const code = await cli([...argv, "--path", out], io);
  return { code, stdout, stderr, out };
}

const without = (env: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)));

interface BadCase {
  title: string;
  argv: string[];
  /** Leave these variables out of ciEnv. */
  unset?: string[];
  /** Set these variables in ciEnv. */
  set?: Record<string, string>;
  /** What stderr must say: the input's name, and what is accepted. */
  says: (string | RegExp)[];
  todo?: string;
}

const BAD: BadCase[] = [
  {
    title: "an unknown flag",
    argv: ["--job", "build", "--bogus", "x"],
    says: ["--bogus", /--help/],
  },
  {
    title: "--wait=maybe",
    argv: ["--job", "build", "--wait=maybe"],
    says: ['input "wait"', '"maybe" is not a boolean', /true or false/],
  },
  {
    title: "--wait maybe (a value after a bare boolean flag)",
    argv: ["--job", "build", "--wait", "maybe"],
    says: ['input "wait"', /true or false/],
  },
  {
    title: "--wait-timeout 5x",
    argv: ["--job", "build", "--wait-timeout", "5x"],
    says: ['input "wait-timeout"', '"5x" is not a duration', /90s, 30m, 1h30m/],
  },
  {
    title: "--concurrency 0",
    argv: ["--job", "build", "--concurrency", "0"],
    says: ['input "concurrency"', '"0"', /from 1 to 32/],
  },
  {
    title: "--concurrency 100",
    argv: ["--job", "build", "--concurrency", "100"],
    says: ['input "concurrency"', '"100"', /from 1 to 32/],
  },
  {
    title: "--status done",
    argv: ["--job", "build", "--status", "done"],
    says: ['input "status"', '"done" is not a job status', /success, failed/],
  },
  {
    title: "--if-no-artifact-found explode",
    argv: ["--job", "build", "--if-no-artifact-found", "explode"],
    says: ['input "if-no-artifact-found"', '"explode"', /fail, warn or ignore/],
  },
  {
    title: "--max-size lots",
    argv: ["--job", "build", "--max-size", "lots"],
    says: ['input "max-size"', '"lots" is not a size', /500MB, 10GiB/],
  },
  {
    title: "--job /[/ (a bad regex)",
    argv: ["--job", "/[/"],
    says: ['input "job"', '"/[/" is not a valid regular expression'],
  },
  {
    title: "--job and --job-id both",
    argv: ["--job", "build", "--job-id", "5"],
    says: ['input "job-id"', /not both/],
  },
  {
    title: "no job at all",
    argv: [],
    says: ['input "job"', /not set/, /job-id/],
  },
  {
    title: "--job-id abc",
    argv: ["--job-id", "abc"],
    says: ['input "job-id"', '"abc" is not a whole number'],
  },
  {
    title: "--gitlab-url ftp://x",
    argv: ["--job", "build", "--gitlab-url", "ftp://x"],
    says: ['input "gitlab-url"', /not an http\(s\) URL/],
  },
  {
    title: "--gitlab-url with credentials",
    argv: ["--job", "build", "--gitlab-url", "https://u:p@host/api/v4"],
    says: ['input "gitlab-url"', /without credentials/],
  },
  {
    title: "a missing token",
    argv: ["--job", "build"],
    unset: ["CI_JOB_TOKEN", "GITLAB_TOKEN"],
    says: ['input "token"', /not set/, /CI_JOB_TOKEN/],
  },
  {
    title: "a missing pipeline id",
    argv: ["--job", "build"],
    unset: ["CI_PIPELINE_ID"],
    says: ['input "pipeline-id"', /not set/, /CI_PIPELINE_ID/],
  },
  {
    title: "--paths with --extract false (files out of an archive that is kept whole)",
    argv: ["--job", "build", "--paths", "dist/", "--extract", "false"],
    says: ['input "extract"', /paths/],
  },
  {
    title: "--artifact-path with --extract false",
    argv: ["--job", "build", "--artifact-path", "a.txt", "--extract=false"],
    says: ['input "extract"', /artifact-path/],
  },
  {
    title: "--paths with --artifact-path",
    argv: ["--job", "build", "--paths", "a/", "--artifact-path", "b.txt"],
    says: ['input "paths"', /not both/],
  },
  {
    title: "--wait with --job-id (nothing to wait for)",
    argv: ["--job-id", "1001", "--wait"],
    says: ['input "wait"', /job-id/],
  },
  {
    title: "--wait with --ref",
    argv: ["--job", "build", "--ref", "main", "--wait"],
    says: ['input "wait"', /ref/],
  },
  {
    title: "--pipeline-id with --job-id",
    argv: ["--job-id", "1001", "--pipeline-id", "500"],
    says: ['input "pipeline-id"', /job-id/],
  },
  {
    title: "--ref with a glob",
    argv: ["--job", "build-*", "--ref", "main"],
    says: ['input "ref"', /one exact name/],
  },
  {
    title: "list with --ref",
    argv: ["list", "--job", "build", "--ref", "main"],
    says: ['input "ref"', /modes download and url only/],
  },
  {
    title: "keep with --paths",
    argv: ["keep", "--job", "build", "--paths", "a/"],
    says: ['input "paths"', /mode download/],
  },
  {
    title: "a token with a line break (never echoed)",
    argv: ["--job", "build", "--token", "glpat-abc\nInjected: 1"],
    says: ['input "token"', /line break/],
  },
  {
    title: "an unknown command",
    argv: ["fetch", "--job", "build"],
    says: [/unknown command "fetch"/, /download, url, list/],
  },
  {
    title: "--project 'not a path'",
    argv: ["--job", "build", "--project", "not a path"],
    says: ['input "project"', '"not a path"', /group\/project/],
  },
  {
    title: "a bad CI_PIPELINE_ID",
    argv: ["--job", "build"],
    set: { CI_PIPELINE_ID: "abc" },
    says: ['input "pipeline-id"', '"abc" (from CI_PIPELINE_ID)', /whole number/],
  },
];

describe("a bad input exits 2, names the input, and makes no request", () => {
  for (const c of BAD)
    test(c.title, { todo: c.todo }, async (t) => {
      const sim = await simulate(t);
      const env = without(ciEnv(sim, c.set), ...(c.unset ?? []));
      const ran = await runCli(t, sim, c.argv, env);
      assert.equal(ran.code, 2, ran.stderr);
      for (const s of c.says)
        if (typeof s === "string") assert.ok(ran.stderr.includes(s), `${ran.stderr} // ${s}`);
        else assert.match(ran.stderr, s);
      assert.equal(ran.stdout, "");
      assert.equal(sim.log.entries.length, 0, "no request may be made");
      assert.ok(!existsSync(ran.out), "the destination must not be created");
    });

  test("credentials in gitlab-url are not echoed", async (t) => {
    const sim = await simulate(t);
    const ran = await runCli(t, sim, [
      "--job",
      "build",
      "--gitlab-url",
      "https://user:s3cret@host/api/v4",
    ]);
    assert.equal(ran.code, 2);
    assert.ok(!ran.stderr.includes("s3cret"), ran.stderr);
  });
});

describe("CLI flag values", () => {
  test("every list input is repeatable: --status and --paths given twice keep both", () => {
    // The CLI hands readOptions the repeated values one a line, as the other faces do.
    const o = read({ status: "success\nfailed", paths: "a/\nb.txt" });
    assert.deepEqual([...names(o).statuses], ["success", "failed"]);
    assert.deepEqual(o.fetch, { kind: "paths", patterns: ["a/", "b.txt"] });
  });

  test("--status twice and --paths twice reach the run", async (t) => {
    const sim = await simulate(t);
    const ran = await runCli(t, sim, [
      "list",
      "--job",
      "build",
      "--status",
      "success",
      "--status",
      "failed",
      "--json",
    ]);
    assert.equal(ran.code, 0, ran.stderr);
    const listed = (JSON.parse(ran.stdout) as { jobs: { name: string }[] }).jobs.map((j) => j.name);
    assert.ok(listed.includes("build"), ran.stdout);
    const paths = await runCli(t, sim, [
      "--job",
      "build",
      "--paths",
      "dist/app.js",
      "--paths",
      "bin/tool",
      "--json",
    ]);
    assert.equal(paths.code, 0, paths.stderr);
    const [job] = (JSON.parse(paths.stdout) as { jobs: { files: string[] }[] }).jobs;
    assert.deepEqual(job?.files.sort(), ["bin/tool", "dist/app.js"]);
  });

  test("--json: a failure is one JSON object on stdout, naming the input at fault", async (t) => {
    const sim = await simulate(t);
    const bad = await runCli(t, sim, ["--job", "build", "--concurrency", "0", "--json"]);
    assert.equal(bad.code, 2);
    assert.deepEqual(JSON.parse(bad.stdout), {
      version: 1,
      error: {
        message: 'input "concurrency": "0" is not a whole number from 1 to 32',
        exit_code: 2,
        input: "concurrency",
      },
    });
    const missing = await runCli(t, sim, ["--job", "no-such-job", "--json"]);
    assert.equal(missing.code, 1);
    const { error } = JSON.parse(missing.stdout) as { error: Record<string, unknown> };
    assert.match(String(error.message), /no job matches "no-such-job"/);
    assert.equal(error.exit_code, 1);
    assert.equal(typeof error.hint, "string");
  });

  test(
    "a job named like a boolean input (--job merge) is a job name, not a flag",
    {},
    async (t) => {
      const sim = await simulate(t);
      const ran = await runCli(t, sim, ["--job", "merge", "--if-no-artifact-found", "ignore"]);
      assert.equal(ran.code, 0, ran.stderr);
      assert.match(ran.stderr, /Finding merge in pipeline 500/);
    },
  );
});

describe("--help", () => {
  test("lists every input of INPUTS, and makes no request", async (t) => {
    const sim = await simulate(t);
    const ran = await runCli(t, sim, ["--help"]);
    assert.equal(ran.code, 0);
    for (const name of INPUT_NAMES)
      assert.match(ran.stdout, new RegExp(`^  --${name}[ [=]`, "m"), `--${name}`);
    assert.equal(sim.log.entries.length, 0);
    assert.ok(!existsSync(ran.out));
  });
});

// ---- readOptions ----------------------------------------------------------------------------

const ENV = {
  CI_API_V4_URL: "https://gitlab.example.com/api/v4",
  CI_PROJECT_ID: "42",
  CI_PIPELINE_ID: "500",
  CI_JOB_TOKEN: "ci-job-token-value",
};
/** The options of a download (what the tests below read). */
function read(inputs: RawInputs, env: Record<string, string | undefined> = ENV): DownloadOptions {
  const o = readOptions({ job: "build", ...inputs }, env, "/work");
  if (o.mode !== "download") throw new Error(`mode ${o.mode}`);
  return o;
}

/** The selector of jobs by name of those options. */
function names(o: DownloadOptions): ByNames {
  if (o.selector.kind !== "names") throw new Error(`selector ${o.selector.kind}`);
  return o.selector;
}

describe("readOptions: accepted forms", () => {
  test("defaults", () => {
    const o = read({});
    assert.equal(o.connection.gitlabUrl, "https://gitlab.example.com/api/v4");
    assert.equal(o.project, "42");
    assert.equal(names(o).pipelineId, 500);
    assert.equal(o.path, "/work");
    assert.deepEqual(o.fetch, { kind: "archive", extract: true });
    assert.deepEqual([...names(o).statuses], ["success"]);
    assert.equal(names(o).childPipelines, true);
    assert.equal(names(o).waitMs, undefined, "no wait");
    assert.equal(names(read({ wait: "true" })).waitMs, 30 * 60_000);
    assert.equal(o.ifNoArtifactFound, "fail");
    assert.equal(o.concurrency, 4);
    assert.equal(o.merge, false);
    assert.deepEqual(o.limits, { maxBytes: 10 * 2 ** 30, maxEntries: 100_000, maxRatio: 1000 });
  });

  test("booleans: true/false, yes/no, 1/0 (any case)", () => {
    for (const [text, value] of [
      ["true", true],
      ["false", false],
      ["yes", true],
      ["no", false],
      ["1", true],
      ["0", false],
      ["TRUE", true],
      ["No", false],
    ] as const) {
      assert.equal(names(read({ wait: text })).waitMs !== undefined, value, text);
      assert.equal(read({ merge: text }).merge, value, text);
      assert.deepEqual(read({ extract: text }).fetch, { kind: "archive", extract: value }, text);
    }
    assert.throws(() => read({ extract: "maybe" }), /input "extract": "maybe" is not a boolean/);
  });

  test("durations: plain seconds, s, m, h, ms and combinations", () => {
    for (const [text, ms] of [
      ["90", 90_000],
      ["90s", 90_000],
      ["30m", 1_800_000],
      ["1h30m", 5_400_000],
      ["500ms", 500],
      ["1h 30m 15s", 5_415_000],
    ] as const)
      assert.equal(names(read({ wait: "true", "wait-timeout": text })).waitMs, ms, text);
    for (const bad of ["5x", "1.5h", "m", "30mm", "-5s"])
      assert.throws(() => read({ "wait-timeout": bad }), /input "wait-timeout"/, bad);
  });

  test("sizes: bytes, decimal and binary units", () => {
    for (const [text, n] of [
      ["1048576", 1_048_576],
      ["500MB", 500_000_000],
      ["10GiB", 10 * 2 ** 30],
      ["1KiB", 1024],
      ["1.5 KiB", 1536],
      ["2kb", 2000],
    ] as const)
      assert.equal(read({ "max-size": text }).limits.maxBytes, n, text);
    for (const bad of ["lots", "10 GiBs", "-1", "1e6"])
      assert.throws(() => read({ "max-size": bad }), /input "max-size"/, bad);
  });

  test("job: split on newlines and commas, not inside matrix brackets", () => {
    const texts = (job: string) => names(read({ job })).patterns.map((p) => p.text);
    assert.deepEqual(texts("build: [linux, amd64], test"), ["build: [linux, amd64]", "test"]);
    assert.deepEqual(texts("a\nb, c\n\n  d  "), ["a", "b", "c", "d"]);
    assert.deepEqual(texts("/^(a|b),c$/"), ["/^(a|b),c$/"]);
    assert.deepEqual(
      names(read({ job: "build-*, /^test/i, lint" })).patterns.map((p) => p.kind),
      ["glob", "regex", "exact"],
    );
  });

  test("job-id: a list of ids, and no pipeline needed", () => {
    const o = read({ job: "", "job-id": "5, 6\n7" }, { ...ENV, CI_PIPELINE_ID: undefined });
    assert.deepEqual(o.selector, { kind: "ids", ids: [5, 6, 7] });
  });

  test("gitlab-url: CI_SERVER_URL + /api/v4 when CI_API_V4_URL is unset", () => {
    const env = { ...ENV, CI_API_V4_URL: undefined, CI_SERVER_URL: "https://gitlab.example.com/" };
    assert.equal(read({}, env).connection.gitlabUrl, "https://gitlab.example.com/api/v4");
    assert.equal(
      read({}, { ...env, CI_SERVER_URL: "https://example.com/gitlab" }).connection.gitlabUrl,
      "https://example.com/gitlab/api/v4",
    );
    assert.equal(
      read({ "gitlab-url": "https://other.example/api/v4/" }, env).connection.gitlabUrl,
      "https://other.example/api/v4",
    );
    assert.throws(
      () => read({}, { ...env, CI_SERVER_URL: undefined }),
      /input "gitlab-url": not set/,
    );
  });

  test("the token's header: GITLAB_TOKEN -> PRIVATE-TOKEN, CI_JOB_TOKEN -> JOB-TOKEN", () => {
    assert.deepEqual(read({}).connection.token, {
      value: "ci-job-token-value",
      header: "JOB-TOKEN",
      source: "CI_JOB_TOKEN",
    });
    assert.deepEqual(read({}, { ...ENV, GITLAB_TOKEN: MAINTAINER }).connection.token, {
      value: MAINTAINER,
      header: "PRIVATE-TOKEN",
      source: "GITLAB_TOKEN",
    });
    // The job's own token given through --token is still a job token.
    assert.deepEqual(read({ token: "ci-job-token-value" }).connection.token, {
      value: "ci-job-token-value",
      header: "JOB-TOKEN",
      source: 'input "token"',
    });
    // So is a token that says it is one (glcbt-), wherever it comes from.
    assert.equal(
      read({ token: JOB_TOKEN }, { ...ENV, CI_JOB_TOKEN: undefined }).connection.token.header,
      "JOB-TOKEN",
    );
    assert.equal(read({ token: MAINTAINER }).connection.token.header, "PRIVATE-TOKEN");
  });

  test("path is resolved against the working directory", () => {
    assert.equal(read({ path: "out/artifacts" }).path, "/work/out/artifacts");
    assert.equal(read({ path: "/abs" }).path, "/abs");
  });

  test("status: a list of job statuses", () => {
    assert.deepEqual(
      [...names(read({ status: "success, failed\ncanceled" })).statuses],
      ["success", "failed", "canceled"],
    );
  });

  test("project: an id or a full path", () => {
    assert.equal(read({ project: "group/sub/app" }).project, "group/sub/app");
    assert.equal(read({ project: "7" }).project, "7");
    for (const bad of ["app", "/group/app", "group/app/", "group//app"])
      assert.throws(() => read({ project: bad }), /input "project"/, bad);
  });
});
