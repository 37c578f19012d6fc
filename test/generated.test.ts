/** One schema, no drift: action.yml, the README tables and the CLI's --help come from src/inputs.ts. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { format, resolveConfig } from "prettier";
import { parse } from "yaml";
import { usage } from "../src/faces/cli.ts";
import { INPUT_NAMES } from "../src/inputs.ts";
import { OUTPUTS } from "../src/report.ts";
import { ACTION_YML, actionYml, README, readme } from "../scripts/generate.ts";

const pretty = async (text: string, file: string) =>
  format(text, { ...(await resolveConfig(file)), filepath: file });

test("action.yml is generated from the schema (run `npm run generate`)", async () => {
  assert.equal(readFileSync(ACTION_YML, "utf8"), await pretty(actionYml(), ACTION_YML));
  const action = parse(readFileSync(ACTION_YML, "utf8")) as {
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };
  assert.deepEqual(Object.keys(action.inputs), INPUT_NAMES);
  assert.deepEqual(Object.keys(action.outputs), Object.keys(OUTPUTS));
});

test("the README's input and output tables are generated from the schema (run `npm run generate`)", async () => {
  const current = readFileSync(README, "utf8");
  assert.equal(current, await pretty(readme(current), README));
  for (const name of [...INPUT_NAMES, ...Object.keys(OUTPUTS)])
    assert.ok(current.includes(`| \`${name}\``), name);
});

test("--help lists every input", () => {
  const help = usage();
  for (const name of INPUT_NAMES) assert.match(help, new RegExp(`^  --${name}[ []`, "m"), name);
});
