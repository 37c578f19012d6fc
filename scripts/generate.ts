/**
 * Writes what is derived from the one input schema: action.yml, and the input and output
 * tables of the README (between their marker comments). `npm run generate` writes them;
 * test/generated.test.ts fails when the committed files differ.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Document, isMap, isScalar, stringify } from "yaml";
import {
  INPUT_NAMES,
  INPUTS,
  type InputDef,
  type InputName,
  OUTPUTS,
} from "../src/inputs/schema.ts";

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
export const ACTION_YML = root("action.yml");
export const COMPONENT_YML = root("templates/pipeline-artifacts.yml");
export const STEP_YML = root("step.yml");
export const README = root("README.md");

const fallback = (def: InputDef) =>
  def.env ? ` Default: ${def.env.map((v) => `\`$${v}\``).join(", then ")}.` : "";

export function actionYml(): string {
  const inputs = Object.fromEntries(
    INPUT_NAMES.map((name) => {
      const def: InputDef = INPUTS[name];
      return [
        name,
        {
          description: `${def.description}${fallback(def)}`,
          required: false,
          ...(def.default === undefined ? {} : { default: def.default }),
        },
      ];
    }),
  );
  const outputs = Object.fromEntries(
    Object.entries(OUTPUTS).map(([name, { description }]) => [name, { description }]),
  );
  const doc = {
    name: "pipeline-artifacts",
    description:
      "Download the artifacts of sibling jobs in a running GitLab pipeline, by job name.",
    author: "pipeline-artifacts",
    branding: { icon: "download-cloud", color: "orange" },
    inputs,
    outputs,
    runs: { using: "node24", main: "dist/index.js" },
  };
  return `# Generated from src/inputs/schema.ts by \`npm run generate\`: edit those, not this.\n${stringify(doc, { lineWidth: 0 })}`;
}

const pkg = JSON.parse(readFileSync(root("package.json"), "utf8")) as {
  version: string;
  config: { image: string };
};

/** The image at this version: package.json's version is the one version of every face. */
export const IMAGE = `${pkg.config.image}:${pkg.version}`;

/** Component input names are snake_case. */
export const snake = (name: string) => name.replace(/-/g, "_");

/** Inputs the component does not take: a token in pipeline YAML would be visible to all. */
const NOT_IN_COMPONENT = new Set(["token"]);
/** The component's own defaults, where a job's artifacts differ from a CLI run's. */
const COMPONENT_DEFAULTS: Record<string, string> = { path: "fetched" };

/**
 * Whitespace as the parsers trim and strip it (JavaScript's `\s`), in a syntax that both RE2
 * (GitLab's engine for `regex:`) and JavaScript (with the `u` flag) read: a superset is fine.
 */
const BLANK = "\\s\\v\\p{Z}\\p{Cf}";

/**
 * The syntax of an input with a fixed one, as a `regex:` of the component spec: it accepts every
 * text the input's parser (src/inputs/parse.ts) accepts, and the empty text (the default then
 * applies); test/inputs-regex.test.ts checks both against the parser.
 */
export function inputRegex(def: InputDef): string | undefined {
  const w = `[${BLANK}]*`;
  if (def.kind === "duration") {
    // Seconds (`300`), or units in any order (`1h30m`, `500ms`); blanks anywhere.
    const digits = `\\d(?:${w}\\d)*`;
    const unit = `(?:m${w}s|h|m|s)`;
    return `^${w}(?:${digits}${w}|(?:${digits}${w}${unit}${w})+)?$`;
  }
  if (def.kind === "bytes")
    // Bytes, or a number with a decimal or binary unit, any case (`500MB`, `10GiB`, `1.5kb`).
    return `^${w}(?:\\d+(?:\\.\\d+)?${w}(?:[bB]|[kKmMgGtT][iI]?[bB])?${w})?$`;
  if (def.kind === "list" && def.options) {
    // One or more of the options, separated by commas or new lines.
    const one = `(?:${def.options.join("|")})`;
    const gap = `[${BLANK},]*`;
    return `^${gap}(?:${one}(?:${w}[,\\n]${gap}${one})*)?${gap}$`;
  }
  return undefined;
}

/** An input's description as users read it: with the variables it falls back to. */
const described = (def: InputDef) => `${def.description}${fallback(def)}`;

/**
 * An input as GitLab's component and step specs type it: booleans and numbers typed, every
 * input optional (a spec input without a default is required), enums with their options.
 */
function typedInput(name: InputName, override?: string) {
  const def: InputDef = INPUTS[name];
  const value = override ?? def.default;
  const type =
    def.kind === "boolean"
      ? "boolean"
      : def.kind === "integer" && value !== undefined
        ? "number"
        : "string";
  return {
    type,
    default:
      value === undefined
        ? ""
        : type === "boolean"
          ? value === "true"
          : type === "number"
            ? Number(value)
            : value,
  };
}

/**
 * The GitLab CI/CD component: one job that runs the tool in the project's image at this version.
 * Inputs reach the tool as variables (PIPELINE_ARTIFACTS_INPUT_*), never spliced into a command.
 */
export function componentYml(): string {
  const inputs: Record<string, Record<string, unknown>> = {
    job_name: {
      type: "string",
      default: "pipeline-artifacts",
      description: "Name of the job this component adds.",
    },
    stage: { type: "string", default: "test", description: "Stage of that job." },
    image: {
      type: "string",
      default: IMAGE,
      description:
        "Image the job runs in: pipeline-artifacts' own image at the component's version.",
    },
  };
  const variables: Record<string, string> = {};
  for (const name of INPUT_NAMES) {
    if (NOT_IN_COMPONENT.has(name)) continue;
    const def: InputDef = INPUTS[name];
    const regex = inputRegex(def);
    inputs[snake(name)] = {
      ...typedInput(name, COMPONENT_DEFAULTS[name]),
      ...(def.kind === "enum" && def.options ? { options: [...def.options] } : {}),
      ...(regex ? { regex } : {}),
      description: described(def),
    };
    variables[`PIPELINE_ARTIFACTS_INPUT_${snake(name).toUpperCase()}`] =
      `$[[ inputs.${snake(name)} ]]`;
  }
  const job = {
    stage: "$[[ inputs.stage ]]",
    image: { name: "$[[ inputs.image ]]", entrypoint: [""] },
    variables,
    script: [
      "pipeline-artifacts --dotenv pipeline-artifacts.env --manifest pipeline-artifacts.json",
    ],
    artifacts: {
      paths: ["$[[ inputs.path ]]", "pipeline-artifacts.json"],
      reports: { dotenv: "pipeline-artifacts.env" },
    },
  };
  return [
    "# Generated from src/inputs/schema.ts by `npm run generate`: edit that, not this.",
    stringify({ spec: { inputs } }, { lineWidth: 0 }).trimEnd(),
    "---",
    stringify({ "$[[ inputs.job_name ]]": job }, { lineWidth: 0 }),
  ].join("\n");
}

/** Text as YAML comment lines of at most `width` characters (a comment is never folded). */
function commentLines(text: string, width = 90): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ` ${l}`).join("\n");
}

/** Puts each entry's description above its key as a comment. */
function describe(map: unknown, descriptions: Record<string, string>): void {
  if (!isMap(map)) throw new Error("expected a map");
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const text = descriptions[String(pair.key.value)];
    if (text) pair.key.commentBefore = commentLines(text);
  }
}

/**
 * The GitLab CI/CD step (function): runs the bundle beside this file; inputs go in as variables,
 * outputs come back typed through the step's output file. The step runner decodes its spec
 * strictly (an input or output takes only `type`, `default` and `sensitive`), so descriptions
 * are YAML comments.
 */
export function stepYml(): string {
  const inputs: Record<string, Record<string, unknown>> = {};
  const inputDescriptions: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const name of INPUT_NAMES) {
    if (NOT_IN_COMPONENT.has(name)) continue;
    inputs[snake(name)] = typedInput(name);
    inputDescriptions[snake(name)] = described(INPUTS[name]);
    env[`PIPELINE_ARTIFACTS_INPUT_${snake(name).toUpperCase()}`] = `\${{ inputs.${snake(name)} }}`;
  }
  const outputs = Object.fromEntries(
    Object.entries(OUTPUTS).map(([name, { type }]) => [snake(name), { type }]),
  );
  const spec = new Document({ spec: { inputs, outputs } });
  describe(spec.getIn(["spec", "inputs"]), inputDescriptions);
  describe(
    spec.getIn(["spec", "outputs"]),
    Object.fromEntries(Object.entries(OUTPUTS).map(([n, o]) => [snake(n), o.description])),
  );
  return [
    "# Generated from src/inputs/schema.ts by `npm run generate`: edit those, not this.",
    spec.toString({ lineWidth: 0 }).trimEnd(),
    "---",
    stringify(
      {
        exec: {
          command: ["node", "${{ step_dir }}/dist/index.js", "--step-output", "${{ output_file }}"],
        },
        env,
      },
      { lineWidth: 0 },
    ),
  ].join("\n");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function inputTable(): string {
  const rows = INPUT_NAMES.map((name) => {
    const def: InputDef = INPUTS[name];
    const dflt = [
      def.default === undefined ? "" : `\`${def.default}\``,
      def.env ? def.env.map((v) => `\`$${v}\``).join(", ") : "",
    ]
      .filter(Boolean)
      .join(", else ");
    return `| \`${name}\` | ${cell(def.description)} | ${dflt || "—"} |`;
  });
  return ["| input | meaning | default |", "|---|---|---|", ...rows].join("\n");
}

export function outputTable(): string {
  const rows = Object.entries(OUTPUTS).map(
    ([name, { description }]) => `| \`${name}\` | ${cell(description)} |`,
  );
  return ["| output | meaning |", "|---|---|", ...rows].join("\n");
}

/** The major version: what users pin (`@1`, `@v1`), the Catalog and the moving tags resolve it. */
export const MAJOR = pkg.version.split(".")[0] ?? "0";

/**
 * The README's examples at package.json's version: the component (`@<major>`), the action and
 * the step (`@v<major>`), `npx pipeline-artifacts@<version>` and the image tag.
 */
export function versioned(text: string): string {
  const image = pkg.config.image.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .replace(/(pipeline-artifacts\/pipeline-artifacts)@[\w.]+/g, `$1@${MAJOR}`)
    .replace(/(\/pipeline-artifacts)@v[\w.]+/g, `$1@v${MAJOR}`)
    .replace(/npx pipeline-artifacts(@[\w.]+)?(?=\s)/g, `npx pipeline-artifacts@${pkg.version}`)
    .replace(new RegExp(`${image}:[\\w.]+`, "g"), IMAGE);
}

/** The README with its generated tables and versions replaced. */
export function readme(current: string): string {
  const replace = (text: string, marker: string, table: string) => {
    const re = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`);
    if (!re.test(text)) throw new Error(`README.md lacks the <!-- ${marker}:start/end --> markers`);
    return text.replace(re, `$1\n${table}\n\n$2`);
  };
  return versioned(replace(replace(current, "inputs", inputTable()), "outputs", outputTable()));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ACTION_YML, actionYml());
  mkdirSync(dirname(COMPONENT_YML), { recursive: true });
  writeFileSync(COMPONENT_YML, componentYml());
  writeFileSync(STEP_YML, stepYml());
  writeFileSync(README, readme(readFileSync(README, "utf8")));
}
