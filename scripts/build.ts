/**
 * Bundles the tool into dist/index.js, the file the action runtime loads and the `bin` runs, and
 * writes beside it dist/THIRD_PARTY_NOTICES: the licence of every package the bundle holds, read
 * from the packages esbuild's metafile says went in. Both are committed; test/dist.test.ts fails
 * when they differ from a fresh build.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, type Metafile } from "esbuild";

export const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
export const NOTICES = fileURLToPath(new URL("../dist/THIRD_PARTY_NOTICES", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

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
