/**
 * The npm package as users get it: `npm pack` holds only what they need, and the packed tarball,
 * installed offline into an empty folder, pulls no dependency and works from there: `--help`, and
 * a download against the simulator.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ciEnv, tempDir } from "./support/run.ts";
import { simulate } from "./support/sim.ts";

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** npm with its cache in `dir` and no audit or fund calls: nothing may need the network. */
const npm = (args: string[], cwd: string, dir: string) =>
  exec(NPM, [...args, "--offline", "--no-audit", "--no-fund", "--cache", join(dir, "cache")], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: dir },
    maxBuffer: 16 * 1024 * 1024,
  });

test(
  "npm pack: only the bundle, its notices, the faces, the schema and the docs; no dependencies",
  { timeout: 120_000 },
  async (t) => {
    const dir = await tempDir(t);
    const { stdout } = await npm(["pack", "--json", "--pack-destination", dir], ROOT, dir);
    const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    assert.deepEqual(packed.files.map((f) => f.path).sort(), [
      "CHANGELOG.md",
      "LICENSE",
      "README.md",
      "action.yml",
      "dist/THIRD_PARTY_NOTICES",
      "dist/index.js",
      "package.json",
      "schema/result.schema.json",
      "step.yml",
      "templates/pipeline-artifacts.yml",
    ]);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.equal(pkg.dependencies, undefined, "the bundle is self-contained");
    for (const key of ["repository", "homepage", "bugs", "keywords", "license"])
      assert.ok(pkg[key], key);

    const project = join(dir, "user");
    await mkdir(project);
    await npm(["init", "-y"], project, dir);
    await npm(["install", join(dir, packed.filename)], project, dir);
    const installed = await exec("find", ["node_modules", "-name", "package.json"], {
      cwd: project,
    });
    assert.deepEqual(
      installed.stdout.trim().split("\n"),
      ["node_modules/pipeline-artifacts/package.json"],
      "nothing but the package itself",
    );
    const bin = join(project, "node_modules/.bin/pipeline-artifacts");

    await t.test("pipeline-artifacts --help runs from the installed package", async () => {
      const { stdout: help } = await exec(bin, ["--help"], {
        env: { PATH: process.env.PATH ?? "" },
      });
      assert.match(help, /^pipeline-artifacts: download the artifacts/);
      assert.match(help, /--job VALUE\.\.\./);
    });

    await t.test(
      "the installed CLI downloads a sibling's artifacts from the simulator",
      async (t) => {
        const sim = await simulate(t);
        const { stdout: out } = await exec(
          bin,
          ["download", "--job", "build", "--path", "out", "--json"],
          {
            cwd: project,
            env: { PATH: process.env.PATH ?? "", ...ciEnv(sim) },
          },
        );
        const result = JSON.parse(out) as {
          version: number;
          jobs: { id: number; sha256: string }[];
        };
        assert.equal(result.version, 1);
        assert.equal(result.jobs[0]?.sha256, sim.archiveOf(1001)?.sha256);
        assert.equal(
          await readFile(join(project, "out/dist/app.js"), "utf8"),
          "console.log('hello from build');\n",
        );
      },
    );
  },
);
