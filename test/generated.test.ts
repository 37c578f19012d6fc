/** One schema, no drift: action.yml, the README tables and the CLI's --help come from src/inputs/schema.ts. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { format, resolveConfig } from "prettier";
import { parse, parseAllDocuments } from "yaml";
import { inputVariable, usage } from "../src/faces/cli.ts";
import { INPUT_NAMES, INPUTS, type InputDef, OUTPUTS } from "../src/inputs/schema.ts";
import {
  ACTION_YML,
  actionYml,
  COMPONENT_YML,
  componentYml,
  IMAGE,
  MAJOR,
  README,
  readme,
  STEP_YML,
  snake,
  stepYml,
} from "../scripts/generate.ts";

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

test("the GitLab component is generated from the schema: every input but the token, as variables", async () => {
  assert.equal(readFileSync(COMPONENT_YML, "utf8"), await pretty(componentYml(), COMPONENT_YML));
  const [head, body] = parseAllDocuments(readFileSync(COMPONENT_YML, "utf8")).map((d) =>
    d.toJS(),
  ) as [
    { spec: { inputs: Record<string, { default: unknown; options?: string[] }> } },
    Record<string, { variables: Record<string, string>; script: string[] }>,
  ];
  const inputs = head.spec.inputs;
  for (const name of INPUT_NAMES) {
    if (name === "token") {
      assert.ok(
        !(snake(name) in inputs),
        "no token input: a token in pipeline YAML is visible to all",
      );
      continue;
    }
    assert.ok(snake(name) in inputs, name);
    const def: InputDef = INPUTS[name];
    if (def.kind === "enum") assert.deepEqual(inputs[snake(name)]?.options, def.options);
  }
  // One job and no global keywords.
  assert.deepEqual(Object.keys(body), ["$[[ inputs.job_name ]]"]);
  const job = body["$[[ inputs.job_name ]]"];
  for (const name of INPUT_NAMES.filter((n) => n !== "token"))
    assert.equal(job?.variables[inputVariable(name)], `$[[ inputs.${snake(name)} ]]`);
});

test("the GitLab step is generated from the schema (run `npm run generate`)", async () => {
  assert.equal(readFileSync(STEP_YML, "utf8"), await pretty(stepYml(), STEP_YML));
});

test("one version everywhere: package.json's drives the component's image and the README's examples", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
    config: { image: string };
  };
  assert.equal(IMAGE, `${pkg.config.image}:${pkg.version}`);
  const [head] = parseAllDocuments(readFileSync(COMPONENT_YML, "utf8")).map((d) => d.toJS()) as [
    { spec: { inputs: { image: { default: string } } } },
  ];
  assert.equal(head.spec.inputs.image.default, IMAGE);
  const text = readFileSync(README, "utf8");
  const tags = (re: RegExp) => new Set([...text.matchAll(re)].map((m) => m[1]));
  assert.deepEqual(tags(/pipeline-artifacts\/pipeline-artifacts@([\w.]+)/g), new Set([MAJOR]));
  assert.deepEqual(tags(/\/pipeline-artifacts@(v[\w.]+)/g), new Set([`v${MAJOR}`]));
  assert.deepEqual(tags(/npx pipeline-artifacts@([\w.]+)/g), new Set([pkg.version]));
  assert.deepEqual(tags(new RegExp(`${pkg.config.image}:([\\w.]+)`, "g")), new Set([pkg.version]));
});
