/**
 * Bundles the tool into dist/index.js, the file the action runtime loads and the `bin` runs.
 * The bundle is committed; test/dist.test.ts fails when it differs from a fresh build.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";

export const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

export const buildOptions: BuildOptions = {
  entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
  bundle: true,
  platform: "node",
  // The action declares node24; the CLI and tests run on Node 20 too.
  target: "node20",
  format: "esm",
  // Bundled CommonJS dependencies call require(): give them one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  legalComments: "eof",
  alias: { undici: fileURLToPath(new URL("./undici-stub.ts", import.meta.url)) },
  define: { PIPELINE_ARTIFACTS_VERSION: JSON.stringify(pkg.version) },
  write: false,
  logLevel: "warning",
};

/** The bundle's text, built in memory. */
export async function bundle(): Promise<string> {
  const result = await build(buildOptions);
  const out = result.outputFiles?.[0];
  if (!out) throw new Error("esbuild produced no output");
  return out.text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DIST, await bundle(), { mode: 0o755 });
}
