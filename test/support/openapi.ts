// Checks JSON response bodies of the GitLab API simulator against GitLab's published OpenAPI v3
// subset in test/reference (see shared/reference/README.md for where it differs from GitLab).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root: two levels up from test/support/. */
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** GitLab's OpenAPI subset, kept in test/reference (equal to shared/reference). */
export const OPENAPI_FILE = resolve(REPO_ROOT, "test/reference/gitlab-openapi-ci.yaml");

export interface Schema {
  $ref?: string;
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  description?: string;
  example?: unknown;
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

// The only schema constructs the document uses (no allOf/oneOf/anyOf, nullable, required or
// additionalProperties in response schemas); anything else makes loadOpenApi throw.
const KEYWORDS = new Set([
  "type",
  "format",
  "enum",
  "properties",
  "items",
  "description",
  "example",
]);
const TYPES = new Set(["object", "array", "string", "integer", "number", "boolean"]);
const FORMATS = new Set(["int64", "float", "date-time", "binary"]);
const REF_PREFIX = "#/components/schemas/";
const JSON_TYPE = "application/json";

/** Path parameters whose value may contain slashes. */
const MULTI_SEGMENT_PARAMS = new Set(["artifact_path"]);
const KEEP_ROUTE = "/api/v4/projects/{id}/jobs/{job_id}/artifacts/keep";

const cache = new Map<string, OpenApi>();

export function loadOpenApi(file: string = OPENAPI_FILE): OpenApi {
  let api = cache.get(file);
  if (!api) {
    api = parse(readFileSync(file, "utf8")) as OpenApi;
    assertSupported(api);
    cache.set(file, api);
  }
  return api;
}

function assertSupported(api: OpenApi): void {
  const visit = (schema: Schema, where: string): void => {
    if (schema.$ref !== undefined) {
      if (Object.keys(schema).length !== 1) throw new Error(`${where}: $ref with siblings`);
      resolveRef(api, schema.$ref);
      return;
    }
    for (const key of Object.keys(schema)) {
      if (!KEYWORDS.has(key)) throw new Error(`${where}: unsupported schema keyword "${key}"`);
    }
    if (!schema.type || !TYPES.has(schema.type)) {
      throw new Error(`${where}: unsupported or missing type ${JSON.stringify(schema.type)}`);
    }
    if (schema.format !== undefined && !FORMATS.has(schema.format)) {
      throw new Error(`${where}: unsupported format "${schema.format}"`);
    }
    if ((schema.items !== undefined) !== (schema.type === "array")) {
      throw new Error(`${where}: "items" must go with type array, and only with it`);
    }
    if (schema.enum !== undefined && schema.type !== "string") {
      throw new Error(`${where}: "enum" is only supported on strings`);
    }
    if (schema.properties !== undefined && schema.type !== "object") {
      throw new Error(`${where}: "properties" without type object`);
    }
    if (schema.items) visit(schema.items, `${where}.items`);
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      visit(sub, `${where}.properties.${name}`);
    }
  };
  for (const [name, schema] of Object.entries(api.components?.schemas ?? {})) {
    visit(schema, `components.schemas.${name}`);
  }
  for (const [route, item] of Object.entries(api.paths)) {
    for (const [method, op] of Object.entries(item)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const schema = response.content?.[JSON_TYPE]?.schema;
        if (schema) visit(schema, `${method} ${route} ${status}`);
      }
    }
  }
}

function resolveRef(api: OpenApi, ref: string): Schema {
  const target = ref.startsWith(REF_PREFIX)
    ? api.components?.schemas?.[ref.slice(REF_PREFIX.length)]
    : undefined;
  if (!target) throw new Error(`unresolvable $ref "${ref}"`);
  return target;
}

function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const param = /^\{(.+)\}$/.exec(part)?.[1];
      if (param === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return MULTI_SEGMENT_PARAMS.has(param) ? ".+" : "[^/]+";
    })
    .join("");
  return new RegExp(`^${source}$`);
}

/**
 * The path template of the document that serves `method` on `path` (query string ignored), or
 * undefined. When several match, the one with the most literal segments wins, so POST
 * `.../artifacts/keep` is the keep route, not `.../artifacts/{artifact_path}`.
 */
export function matchRoute(api: OpenApi, method: string, path: string): string | undefined {
  const bare = path.split("?")[0] ?? path;
  const literals = (t: string) => t.split("/").filter((s) => s && !s.includes("{")).length;
  const candidates = Object.keys(api.paths)
    .filter((t) => api.paths[t]?.[method.toLowerCase()] && templateRegex(t).test(bare))
    .sort((a, b) => literals(b) - literals(a));
  const [best, next] = candidates;
  if (best && next && literals(best) === literals(next)) {
    throw new Error(`${path} matches both ${best} and ${next}`);
  }
  return best;
}

/** Every "method route status" of the document that has a JSON response schema. */
export function jsonResponses(api: OpenApi): string[] {
  return Object.entries(api.paths).flatMap(([route, item]) =>
    Object.entries(item).flatMap(([method, op]) =>
      Object.entries(op.responses ?? {})
        .filter(([, response]) => response.content?.[JSON_TYPE]?.schema)
        .map(([status]) => `${method} ${route} ${status}`),
    ),
  );
}

function findSchema(
  api: OpenApi,
  method: string,
  path: string,
  status: number,
): { route?: string; schema?: Schema } {
  const verb = method.toLowerCase();
  const route = matchRoute(api, verb, path);
  if (!route) return {};
  const responses = api.paths[route]?.[verb]?.responses ?? {};
  let schema = responses[String(status)]?.content?.[JSON_TYPE]?.schema;
  // Named exception (reference README): the document gives POST .../artifacts/keep a 201, but
  // GitLab's source sets status 200 explicitly; a 200 there carries the documented 201 body.
  if (!schema && verb === "post" && route === KEEP_ROUTE && status === 200 && !responses["200"]) {
    schema = responses["201"]?.content?.[JSON_TYPE]?.schema;
  }
  return { route, schema };
}

/** Problems of `body` against the documented JSON response; empty when valid. */
export function checkResponse(
  api: OpenApi,
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const { route, schema } = findSchema(api, method, path, status);
  if (!schema) return [noSchema(method, path, status, route)];
  const problems: string[] = [];
  check(api, schema, body, "body", problems);
  return problems;
}

/** Throws listing the problems, or when the document has no JSON schema for the response. */
export function assertMatchesSchema(
  method: string,
  path: string,
  status: number,
  body: unknown,
): void {
  const api = loadOpenApi();
  const { route, schema } = findSchema(api, method, path, status);
  if (!schema) throw new Error(noSchema(method, path, status, route));
  const problems: string[] = [];
  check(api, schema, body, "body", problems);
  if (problems.length > 0) {
    const list = problems.map((p) => `  - ${p}`).join("\n");
    throw new Error(`${method.toUpperCase()} ${path} ${status} does not match ${route}:\n${list}`);
  }
}

function noSchema(method: string, path: string, status: number, route?: string): string {
  const where = route ? `route ${route}` : "no route";
  return `${method.toUpperCase()} ${path} ${status} has no JSON schema in ${OPENAPI_FILE} (${where})`;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 (RFC 3339) date-time with a real calendar date, e.g. 2015-12-24T15:51:21.880Z. */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m || Number.isNaN(Date.parse(text))) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day)); // Date.parse accepts February 30
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function check(api: OpenApi, schema: Schema, value: unknown, at: string, problems: string[]): void {
  if (schema.$ref) {
    check(api, resolveRef(api, schema.$ref), value, at, problems);
    return;
  }
  const fail = (expected: string): void => {
    problems.push(`${at}: expected ${expected}, got ${kind(value)}`);
  };
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        fail("object");
        return;
      }
      for (const [name, member] of Object.entries(value)) {
        const sub = schema.properties?.[name];
        if (schema.properties && !sub) problems.push(`${at}.${name}: property not in the schema`);
        // README: the document lists no `nullable`, but GitLab sends null for many properties.
        else if (sub && member !== null) check(api, sub, member, `${at}.${name}`, problems);
      }
      return;
    }
    case "array":
      if (!Array.isArray(value)) {
        fail("array");
        return;
      }
      value.forEach((item, i) => {
        check(api, schema.items as Schema, item, `${at}[${i}]`, problems);
      });
      return;
    case "integer":
      if (!Number.isInteger(value)) fail("integer");
      return;
    case "number":
      if (typeof value !== "number") fail("number");
      return;
    case "boolean":
      if (typeof value !== "boolean") fail("boolean");
      return;
    case "string":
      // Named exception (reference README): project.ci_job_token_scope_enabled is typed string in
      // the document, but GitLab sends a boolean.
      if (typeof value === "boolean" && at.endsWith(".project.ci_job_token_scope_enabled")) return;
      if (typeof value !== "string") {
        fail("string");
        return;
      }
      if (schema.format === "date-time" && !isDateTime(value)) {
        problems.push(`${at}: expected an ISO 8601 date-time, got ${JSON.stringify(value)}`);
      }
      if (schema.enum && !schema.enum.includes(value)) {
        problems.push(`${at}: ${JSON.stringify(value)} is not one of the documented values`);
      }
      return;
    default:
      throw new Error(`${at}: unsupported schema type ${JSON.stringify(schema.type)}`);
  }
}
