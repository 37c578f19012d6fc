/**
 * What the project ships validates against the schemas of the tools that load it: action.yml
 * (SchemaStore), the component's header and jobs (GitLab's CI schema, raw and with each input
 * at its default), step.yml's two documents (step-runner's spec and step schemas).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ACTION_YML, COMPONENT_YML, STEP_YML } from "../../scripts/generate.ts";
import {
  assertValid,
  githubAction,
  gitlabCi,
  stepDefinition,
  stepSpec,
  yamlDocuments,
} from "../support/schemas.ts";

interface Header {
  spec: { inputs: Record<string, { type?: string; default: unknown }> };
}

test("action.yml validates against SchemaStore's github-action schema", () => {
  const [action] = yamlDocuments(ACTION_YML);
  assertValid(githubAction, action, "action.yml");
});

test("the component's header validates against GitLab's CI schema, every input typed", () => {
  const [header] = yamlDocuments(COMPONENT_YML) as [Header];
  assertValid(gitlabCi, header, "the component's spec header");
  for (const [name, input] of Object.entries(header.spec.inputs))
    assert.ok(input.type, `input ${name} has a type (else the schema checks it as every type)`);
});

test("the component's jobs validate against GitLab's CI schema, raw and at the defaults", () => {
  const [header, jobs] = yamlDocuments(COMPONENT_YML) as [Header, unknown];
  assertValid(gitlabCi, jobs, "the component's jobs, raw");
  const defaults = Object.fromEntries(
    Object.entries(header.spec.inputs).map(([name, input]) => [name, input.default]),
  );
  const interpolated = JSON.parse(
    JSON.stringify(jobs).replace(/\$\[\[ inputs\.(\w+) \]\]/g, (_, name: string) => {
      assert.ok(name in defaults, `inputs.${name} is declared`);
      // Inside a JSON string: escape what the value holds.
      return JSON.stringify(String(defaults[name])).slice(1, -1);
    }),
  ) as unknown;
  assert.ok(!JSON.stringify(interpolated).includes("$[["), "every input interpolated");
  assertValid(gitlabCi, interpolated, "the component's jobs at the defaults");
});

test("step.yml's spec and definition validate against step-runner's schemas", () => {
  const [spec, definition] = yamlDocuments(STEP_YML);
  assertValid(stepSpec, spec, "step.yml's spec");
  assertValid(stepDefinition, definition, "step.yml's definition");
});
