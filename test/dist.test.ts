/** dist/index.js is what the action runtime loads: it must be the build of the current sources. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { bundle, DIST, NOTICES } from "../scripts/build.ts";

const built = await bundle();

test("dist/index.js matches a fresh build (run `npm run build` and commit dist/)", () => {
  const committed = readFileSync(DIST, "utf8");
  assert.ok(
    committed === built.code,
    "dist/index.js is stale: run `npm run build` and commit dist/",
  );
});

test("dist/THIRD_PARTY_NOTICES holds the licence text of every package in the bundle", () => {
  const committed = readFileSync(NOTICES, "utf8");
  assert.equal(committed, built.notices, "stale: run `npm run build` and commit dist/");
  // What esbuild put in: @actions/* and their dependencies, yauzl and its, at least.
  const names = built.packages.map((p) => p.name);
  for (const name of ["@actions/core", "@actions/http-client", "yauzl"])
    assert.ok(names.includes(name), name);
  for (const p of built.packages) {
    assert.ok(committed.includes(`${p.name}@${p.version} (${p.license})`), p.name);
    assert.ok(p.text.length > 100 && committed.includes(p.text), `${p.name}'s licence text`);
    assert.match(p.text, /permission|licen[cs]e/i, `${p.name}'s file is a licence`);
  }
});

test("the bundle requires http and https instead of importing them (Node 24 would load its undici)", () => {
  // An ESM import of a built-in reads every export; Node 24's http has lazy getters
  // (WebSocket, CloseEvent, MessageEvent) that load Node's own undici (scripts/build.ts).
  const imports = [...built.code.matchAll(/^import\b[^;]*?from\s*"(?:node:)?(https?)"/gm)];
  assert.deepEqual(
    imports.map((m) => m[0]),
    [],
  );
  assert.match(built.code, /__require\("(node:)?http"\)/);
  assert.match(built.code, /__require\("(node:)?https"\)/);
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
