/**
 * JSON Schema validators for the files the project ships or runs, from the schemas written by the
 * projects that define those formats (copies in test/reference, kept equal to shared/reference; see its
 * README), and the project's own result schema.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parseAllDocuments } from "yaml";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REFERENCE = resolve(REPO_ROOT, "test/reference");

// ajv-formats is CommonJS with a default export: under Node's ESM loader it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

export type Validate = (value: unknown) => ErrorObject[];

function validator(schema: object, draft2020 = false): Validate {
  // Not strict: upstream schemas use keywords ajv does not know (markdownDescription, ...).
  const ajv = draft2020
    ? new Ajv2020({ strict: false, allErrors: true })
    : new Ajv({ strict: false, allErrors: true });
  addFormats(ajv as Ajv);
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : [...(validate.errors ?? [])]);
}

const reference = (file: string, draft2020 = false) =>
  validator(JSON.parse(readFileSync(resolve(REFERENCE, file), "utf8")) as object, draft2020);

/** SchemaStore's github-action schema: action.yml. */
export const githubAction = reference("github-action-schema.json");
/** SchemaStore's github-workflow schema: .github/workflows/*.yml. */
export const githubWorkflow = reference("github-workflow-schema.json");
/** GitLab's CI schema (pipeline editor, CI lint): a pipeline, or a component's `{spec}` header. */
export const gitlabCi = reference("gitlab-ci-schema.json");
/** step-runner's spec schema: the first document of step.yml. */
export const stepSpec = reference("step-runner-spec-schema.json", true);
/** step-runner's step schema: the second document of step.yml. */
export const stepDefinition = reference("step-runner-step-schema.json", true);

export const RESULT_SCHEMA_FILE = resolve(REPO_ROOT, "schema/result.schema.json");
/** The CLI's JSON result (--json, --manifest), success or failure. */
export const resultSchema = (): Validate =>
  validator(JSON.parse(readFileSync(RESULT_SCHEMA_FILE, "utf8")) as object);

/** Fails with every schema error, each with where it is. */
export function assertValid(validate: Validate, value: unknown, what: string): void {
  const errors = validate(value);
  assert.deepEqual(
    errors.map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`),
    [],
    `${what} does not validate`,
  );
}

/** Every YAML document of a file, as plain data. */
export function yamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((d) => {
    assert.deepEqual(d.errors, [], `${file} is not valid YAML`);
    return d.toJS() as unknown;
  });
}
