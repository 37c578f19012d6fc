/**
 * The container image, checked without a Docker engine (none runs on these machines): what it
 * installs must be what runs, under the name the component's script uses.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { DIST } from "../../scripts/build.ts";
import { componentYml } from "../../scripts/generate.ts";
import { tempDir } from "../support/run.ts";

const dockerfile = readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8");

test("the image holds only the bundle and its licences, runs as a non-root user, on the Node the action declares", () => {
  assert.match(dockerfile, /^FROM node:24-alpine$/m);
  assert.deepEqual(
    [...dockerfile.matchAll(/^COPY (.+)$/gm)].map((m) => m[1]),
    ["dist/index.js ./pipeline-artifacts.mjs", "LICENSE dist/THIRD_PARTY_NOTICES ./"],
  );
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /^ENTRYPOINT \["pipeline-artifacts"\]$/m);
  assert.match(
    readFileSync(new URL("../../.dockerignore", import.meta.url), "utf8"),
    /^\*\n!dist\/index\.js\n!dist\/THIRD_PARTY_NOTICES\n!LICENSE\n$/,
  );
  // The component's script calls the same command, with the entrypoint cleared for the shell.
  assert.match(componentYml(), /^ {4}- pipeline-artifacts --dotenv/m);
  assert.match(componentYml(), /entrypoint:\n {6}- ""/);
});

test("the bundle runs as the image lays it out: a .mjs reached through a symlink, no package.json", async (t) => {
  const dir = await tempDir(t);
  copyFileSync(DIST, join(dir, "pipeline-artifacts.mjs"));
  symlinkSync(join(dir, "pipeline-artifacts.mjs"), join(dir, "pipeline-artifacts"));
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(dir, "pipeline-artifacts"),
    "--help",
  ]);
  assert.match(stdout, /^pipeline-artifacts: download/);
});
