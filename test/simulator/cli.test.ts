/**
 * `npm run sim`: the simulator as a process. It picks free ports, prints the CI variables of
 * the sample pipeline's job, answers real requests with them, and stops cleanly on SIGTERM.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { SAMPLE } from "../support/sim.ts";
import { buildWorld, loadScenarioFile } from "./scenario.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

/** What `export NAME=value` lines must be printed before the test goes on. */
const NEEDED = ["CI_API_V4_URL", "CI_PROJECT_ID", "CI_PIPELINE_ID", "CI_JOB_TOKEN", "GITLAB_TOKEN"];

function startCli(t: TestContext, args: string[] = []): ChildProcessWithoutNullStreams {
  const env = { ...process.env };
  // Set by `node --test` for its own children; the simulator is not a test file.
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, env });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

/** Collects what the child writes on stderr, for failure messages. */
function stderrOf(child: ChildProcessWithoutNullStreams): () => string {
  let text = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    text += chunk;
  });
  return () => text;
}

/**
 * Reads stdout line by line until every NEEDED variable was printed (CI_API_V4_URL first among
 * them); fails if the process exits before.
 */
function printedVariables(
  child: ChildProcessWithoutNullStreams,
  stderr: () => string,
): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const vars = new Map<string, string>();
    const lines = createInterface({ input: child.stdout });
    const onExit = (code: number | null, signal: string | null) =>
      reject(
        new Error(
          `simulator exited (${code ?? signal}) before printing its variables:\n${stderr()}`,
        ),
      );
    child.once("exit", onExit);
    lines.on("line", (line) => {
      const m = /^export ([A-Z0-9_]+)=(\S*)/.exec(line);
      if (!m?.[1]) return;
      vars.set(m[1], (m[2] ?? "").replace(/^'(.*)'$/, "$1"));
      if (NEEDED.every((name) => vars.has(name))) {
        child.off("exit", onExit);
        lines.close();
        resolve(vars);
      }
    });
  });
}

/** The names the sample pipeline's job list holds: its current builds, newest first. */
function expectedJobNames(pipelineId: number): string[] {
  const world = buildWorld(loadScenarioFile(SAMPLE));
  const pipeline = world.pipelines.get(pipelineId);
  assert.ok(pipeline, `pipeline ${pipelineId} is not in the sample scenario`);
  return pipeline.jobs
    .filter((j) => j.kind === "build" && !j.retried)
    .sort((a, b) => b.id - a.id)
    .map((j) => j.name);
}

test("npm run sim serves the sample until SIGTERM", { timeout: 30_000 }, async (t) => {
  const child = startCli(t);
  const stderr = stderrOf(child);
  const vars = await printedVariables(child, stderr);

  const api = vars.get("CI_API_V4_URL") ?? "";
  assert.match(api, /^http:\/\/127\.0\.0\.1:\d+\/api\/v4$/);
  const url = `${api}/projects/${vars.get("CI_PROJECT_ID")}/pipelines/${vars.get("CI_PIPELINE_ID")}/jobs`;
  const expected = expectedJobNames(Number(vars.get("CI_PIPELINE_ID")));

  for (const [label, headers] of [
    ["GITLAB_TOKEN as PRIVATE-TOKEN", { "PRIVATE-TOKEN": vars.get("GITLAB_TOKEN") ?? "" }],
    ["CI_JOB_TOKEN as JOB-TOKEN", { "JOB-TOKEN": vars.get("CI_JOB_TOKEN") ?? "" }],
  ] as const) {
    await t.test(`lists the pipeline's jobs with ${label}`, async () => {
      const res = await fetch(url, { headers });
      const body = (await res.json()) as { name: string }[];
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(
        body.map((j) => j.name),
        expected,
      );
    });
  }

  const exited = once(child, "close");
  child.kill("SIGTERM");
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr());
});

/** Starts the CLI with bad arguments and returns its exit code, stdout and stderr. */
async function refused(t: TestContext, args: string[]) {
  const child = startCli(t, args);
  const stderr = stderrOf(child);
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr: stderr() };
}

for (const [args, option] of [
  [["--port", "abc"], "--port"],
  [["--port", "0"], "--port"],
  [["--storage-port", "65536"], "--storage-port"],
] as const) {
  test(
    `a bad port (${args.join(" ")}) exits 2 naming ${option}`,
    {
      timeout: 30_000,
    },
    async (t) => {
      const { code, stdout, stderr } = await refused(t, [...args]);
      assert.equal(code, 2, stderr);
      assert.ok(stderr.includes(option), `stderr names ${option}: ${stderr}`);
      assert.ok(stderr.includes(JSON.stringify(args[1])), `stderr quotes the value: ${stderr}`);
      assert.equal(stdout, "", "nothing is served");
    },
  );
}

test(
  "a --port without its value exits 2 naming --port",
  {
    timeout: 30_000,
  },
  async (t) => {
    const { code, stderr } = await refused(t, ["--port"]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^sim: .*--port/m);
  },
);

test(
  "a malformed scenario file exits 2 with the validation message, not a crash",
  { timeout: 30_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "pa-sim-cli-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        projects: [
          {
            id: 1,
            path: "g/a",
            pipelines: [
              {
                id: 2,
                jobs: [
                  {
                    name: "x",
                    artifacts: {
                      files: [
                        { type: "file", name: "a", content: { size: 9, fill: "random", seed: 5 } },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const notJson = join(dir, "not.json");
    writeFileSync(notJson, "{ projects: ");
    for (const [file, says] of [
      [bad, "content: seed must be a string, got 5"],
      [notJson, `scenario file ${notJson}: `],
    ] as const) {
      const { code, stdout, stderr } = await refused(t, [file]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /^sim: scenario /);
      assert.ok(stderr.includes(says), stderr);
      assert.ok(!stderr.includes("    at "), `no stack trace: ${stderr}`);
      assert.equal(stdout, "");
    }
  },
);
