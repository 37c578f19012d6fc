/**
 * Imports point one way: faces -> inputs -> main -> commands -> resolve / transfer -> archive /
 * gitlab -> util (README, Architecture). Each module of src/ may import only the layers listed for
 * its own; yauzl is imported by archive/ alone.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** A module's layer: its folder, or its own name for the modules at the top of src/. */
const layerOf = (file: string) => {
  const rel = relative(SRC, file).split("/");
  return rel.length > 1 ? (rel[0] ?? "") : (rel[0] ?? "").replace(/\.ts$/, "");
};

/** errors.ts and log.ts are leaves every layer may use, like util/. */
const LEAVES = ["errors", "log", "util"];

const ALLOWED: Record<string, string[]> = {
  index: ["faces"],
  faces: ["inputs", "main", "options", "report"],
  inputs: ["options", "resolve", "archive", "gitlab"],
  main: ["commands", "options", "report", "resolve", "gitlab"],
  options: ["resolve", "transfer", "archive", "gitlab"],
  report: ["options", "gitlab", "archive"],
  commands: ["options", "report", "resolve", "transfer", "archive", "gitlab"],
  resolve: ["gitlab"],
  transfer: ["archive", "gitlab"],
  archive: [],
  gitlab: [],
  util: [],
  errors: [],
  log: [],
};

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? modules(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

test("every import in src/ points down the layers", () => {
  const wrong: string[] = [];
  for (const file of modules(SRC)) {
    const own = layerOf(file);
    const allowed = new Set([own, ...LEAVES, ...(ALLOWED[own] ?? [])]);
    assert.ok(own in ALLOWED, `${relative(SRC, file)}: a layer the table does not know`);
    const text = readFileSync(file, "utf8");
    for (const [, spec = ""] of text.matchAll(
      /^(?:import|export)[^"']*from\s+["']([^"']+)["']/gm,
    )) {
      if (spec === "yauzl" && own !== "archive") wrong.push(`${relative(SRC, file)} imports yauzl`);
      if (!spec.startsWith(".")) continue;
      const target = layerOf(join(dirname(file), spec));
      if (!allowed.has(target)) wrong.push(`${relative(SRC, file)} imports ${spec} (${target})`);
    }
  }
  assert.deepEqual(wrong, []);
});
