/**
 * Bundles the tool into dist/index.js, the file the action runtime loads and the `bin` runs, and
 * writes beside it dist/THIRD_PARTY_NOTICES: the licence of every package the bundle holds, read
 * from the packages esbuild's metafile says went in. Both are committed; test/dist.test.ts fails
 * when they differ from a fresh build.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";

export const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
export const NOTICES = fileURLToPath(new URL("../dist/THIRD_PARTY_NOTICES", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/**
 * `http` and `https` are loaded with require(), not imported. An ESM import of a built-in builds
 * its namespace by reading every export, getters included, and on Node 24 (the action's runtime)
 * `http` has lazy getters (WebSocket, CloseEvent, MessageEvent) that load Node's own copy of
 * undici, which the tool never uses. Alone, `import "http"` peaks at 60.4 MiB RSS against 47.9 MiB
 * for `require("http")`; for the bundle's `--version` on Node 24.22, 60.0 MiB against 64.2 MiB and
 * 84 ms against 107 ms (hyperfine, 30 runs). Node 20 has no such getters: unchanged there.
 */
const BY_REQUIRE = /^(node:)?https?$/;
const httpByRequire: Plugin = {
  name: "http-by-require",
  setup(b) {
    b.onResolve({ filter: BY_REQUIRE }, (args) =>
      // The require() in the module that stands for the built-in is left to Node.
      args.namespace === "builtin"
        ? { path: args.path, external: true }
        : { path: args.path, namespace: "builtin", sideEffects: false },
    );
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
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
  plugins: [httpByRequire],
  define: { PIPELINE_ARTIFACTS_VERSION: JSON.stringify(pkg.version) },
  write: false,
  metafile: true,
  logLevel: "warning",
};

export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  /** The package's own licence file, word for word. */
  text: string;
}

/** The packages (under node_modules) that esbuild put into the bundle, by name. */
export function bundledPackages(metafile: Metafile): BundledPackage[] {
  const dirs = new Set(
    Object.keys(metafile.inputs).flatMap((input) => {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      return m?.[1] ? [m[1]] : [];
    }),
  );
  return [...dirs]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as {
        name: string;
        version: string;
        license: string;
      };
      const file = readdirSync(join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)/i.test(f));
      if (!file || !existsSync(join(ROOT, dir, file)))
        throw new Error(`${pkg.name} is bundled but ships no licence file to copy`);
      const text = readFileSync(join(ROOT, dir, file), "utf8").trim();
      return { name: pkg.name, version: pkg.version, license: pkg.license, text };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The notices file: each bundled package's name, version, licence and licence text. */
export function notices(packages: BundledPackage[]): string {
  return [
    "pipeline-artifacts' dist/index.js bundles the following packages, under these licences.",
    ...packages.map((p) => `${"-".repeat(72)}\n${p.name}@${p.version} (${p.license})\n\n${p.text}`),
    "",
  ].join("\n\n");
}

/** The bundle's text and its notices, built in memory. */
export async function bundle(): Promise<{
  code: string;
  notices: string;
  packages: BundledPackage[];
}> {
  const result = await build(buildOptions);
  const out = result.outputFiles?.[0];
  if (!out || !result.metafile) throw new Error("esbuild produced no output");
  const packages = bundledPackages(result.metafile);
  return { code: out.text, notices: notices(packages), packages };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await bundle();
  writeFileSync(DIST, built.code, { mode: 0o755 });
  writeFileSync(NOTICES, built.notices);
}
