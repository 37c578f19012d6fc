/**
 * Writes what is derived from the one input schema: action.yml, and the input and output
 * tables of the README (between their marker comments). `npm run generate` writes them;
 * test/generated.test.ts fails when the committed files differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { INPUT_NAMES, INPUTS, type InputDef } from "../src/inputs.ts";
import { OUTPUTS } from "../src/report.ts";

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
export const ACTION_YML = root("action.yml");
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
    Object.entries(OUTPUTS).map(([name, description]) => [name, { description }]),
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
  return `# Generated from src/inputs.ts and src/report.ts by \`npm run generate\`: edit those, not this.\n${stringify(doc, { lineWidth: 0 })}`;
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
    ([name, description]) => `| \`${name}\` | ${cell(description)} |`,
  );
  return ["| output | meaning |", "|---|---|", ...rows].join("\n");
}

/** The README with its generated tables replaced. */
export function readme(current: string): string {
  const replace = (text: string, marker: string, table: string) => {
    const re = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`);
    if (!re.test(text)) throw new Error(`README.md lacks the <!-- ${marker}:start/end --> markers`);
    return text.replace(re, `$1\n${table}\n\n$2`);
  };
  return replace(replace(current, "inputs", inputTable()), "outputs", outputTable());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ACTION_YML, actionYml());
  writeFileSync(README, readme(readFileSync(README, "utf8")));
}
