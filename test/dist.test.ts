/** dist/index.js is what the action runtime loads: it must be the build of the current sources. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { bundle, DIST } from "../scripts/build.ts";

test("dist/index.js matches a fresh build (run `npm run build` and commit dist/)", async () => {
  const committed = readFileSync(DIST, "utf8");
  assert.ok(
    committed === (await bundle()),
    "dist/index.js is stale: run `npm run build` and commit dist/",
  );
});

test("the bundle runs on this Node and reports its version", async () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const { stdout } = await promisify(execFile)(process.execPath, [DIST, "--version"]);
  assert.equal(stdout.trim(), pkg.version);
});

test("action.yml runs the bundle on the current GitHub runtime", () => {
  const action = parse(readFileSync(new URL("../action.yml", import.meta.url), "utf8")) as {
    runs: { using: string; main: string };
  };
  assert.deepEqual(action.runs, { using: "node24", main: "dist/index.js" });
});
