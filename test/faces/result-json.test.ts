/**
 * The JSON result (`--json` on stdout, `--manifest` in a file) is the contract scripts read: it
 * validates against schema/result.schema.json (shipped in the package) in every mode, on success
 * and on failure, with one key style (snake_case) and a format version.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { cli, type Io } from "../../src/faces/cli.ts";
import { RESULT_VERSION } from "../../src/faces/outputs.ts";
import { JOB_STATUSES } from "../../src/gitlab/api.ts";
import { MODES } from "../../src/options.ts";
import type { Action } from "../../src/report.ts";
import type { Simulator } from "../simulator/index.ts";
import { ciEnv, tempDir } from "../support/run.ts";
import { MAINTAINER, simulate } from "../support/sim.ts";
import { assertValid, RESULT_SCHEMA_FILE, resultSchema } from "../support/schemas.ts";

const validate = resultSchema();

async function json(t: TestContext, sim: Simulator, argv: string[], env = ciEnv(sim)) {
  const cwd = await tempDir(t);
  let stdout = "";
  const io: Io = { stdout: (s) => void (stdout += s), stderr: () => {}, env, cwd };
  const code = await cli([...argv, "--json", "--manifest", "result.json"], io);
  const printed = JSON.parse(stdout) as Record<string, unknown>;
  return { code, printed, cwd };
}

/** Every key of a JSON value, at any depth. */
const keys = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap(keys)
    : value && typeof value === "object"
      ? Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)])
      : [];

const CASES: { title: string; argv: string[]; token?: string }[] = [
  { title: "download of one job", argv: ["--job", "build", "--path", "out"] },
  { title: "download of several jobs", argv: ["--job", "test, package", "--path", "out"] },
  { title: "download of some files", argv: ["--job", "build", "--paths", "dist/", "--path", "o"] },
  { title: "list", argv: ["list", "--job", "build, test"] },
  { title: "dry-run delete", argv: ["delete", "--job", "build", "--dry-run"], token: MAINTAINER },
  { title: "keep", argv: ["keep", "--job", "build"], token: MAINTAINER },
  { title: "nothing found, warned", argv: ["--job", "nothing", "--if-no-artifact-found", "warn"] },
];

for (const c of CASES)
  test(`${c.title}: the JSON result validates, snake_case, version ${RESULT_VERSION}`, async (t) => {
    const sim = await simulate(t);
    const env = ciEnv(sim, c.token ? { GITLAB_TOKEN: c.token } : {});
    const { code, printed, cwd } = await json(t, sim, c.argv, env);
    assert.equal(code, 0, JSON.stringify(printed));
    assertValid(validate, printed, c.title);
    assert.equal(printed.version, RESULT_VERSION);
    for (const key of keys(printed)) assert.match(key, /^[a-z0-9]+(_[a-z0-9]+)*$/, key);
    // The manifest file holds the same object.
    assert.deepEqual(JSON.parse(readFileSync(join(cwd, "result.json"), "utf8")), printed);
  });

test("a bad input and a failed run: the {error} object validates", async (t) => {
  const sim = await simulate(t);
  const bad = await json(t, sim, ["--job", "build", "--concurrency", "0"]);
  assert.equal(bad.code, 2);
  assertValid(validate, bad.printed, "a bad input");
  const failed = await json(t, sim, ["--job", "no-such-job"]);
  assert.equal(failed.code, 1);
  assertValid(validate, failed.printed, "a failed run");
  assert.deepEqual(Object.keys(failed.printed), ["version", "error"]);
});

test("the schema names the modes, statuses and actions the code has", () => {
  const schema = JSON.parse(readFileSync(RESULT_SCHEMA_FILE, "utf8")) as {
    definitions: {
      result: { properties: { mode: { enum: string[] } } };
      job: {
        properties: {
          action: { enum: Action[] };
          status: { oneOf: [{ enum: string[] }, unknown] };
        };
      };
    };
  };
  assert.deepEqual(schema.definitions.result.properties.mode.enum, [...MODES]);
  assert.deepEqual(schema.definitions.job.properties.status.oneOf[0].enum, [...JOB_STATUSES]);
  // Every action of JobResult: a missing one would not compile as Record<Action, true>.
  const actions: Record<Action, true> = {
    downloaded: true,
    listed: true,
    resolved: true,
    "would-download": true,
    kept: true,
    "would-keep": true,
    deleted: true,
    "would-delete": true,
  };
  assert.deepEqual(
    [...schema.definitions.job.properties.action.enum].sort(),
    Object.keys(actions).sort(),
  );
});
