/**
 * What a GitLab job needs from the CLI: collapsible log sections, colour only where it is shown,
 * a dotenv report for later jobs (artifacts:reports:dotenv) and a JSON manifest file.
 */
import { writeFile } from "node:fs/promises";
import { isAbsolute, relative, sep } from "node:path";
import type { OutputName } from "../inputs/schema.ts";
import type { Log } from "../log.ts";
import type { Result } from "../report.ts";
import { outputs, textOutputs } from "./outputs.ts";

const ESC = "\u001b";

export interface Terminal {
  /** Write to the job log (stderr). */
  write: (text: string) => void;
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

/** Colour when someone sees it: a terminal or GitLab's job log, unless NO_COLOR is set. */
export const colours = (t: Terminal) =>
  !t.env.NO_COLOR &&
  t.env.FORCE_COLOR !== "0" &&
  (t.isTTY || t.env.GITLAB_CI === "true" || t.env.FORCE_COLOR !== undefined);

/**
 * The CLI's log. In a GitLab job, groups become collapsible sections
 * (`section_start:<unix>:<name>[collapsed=true]`); elsewhere, a plain title line.
 */
export function jobLog(t: Terminal, verbose: boolean): Log {
  const colour = colours(t);
  const paint = (code: string, text: string) => (colour ? `${ESC}[${code}m${text}${ESC}[0m` : text);
  const sections = t.env.GITLAB_CI === "true";
  let count = 0;
  return {
    info: (m) => t.write(`${m}\n`),
    warn: (m) => t.write(`${paint("33", "warning:")} ${m}\n`),
    debug: (m) => {
      if (verbose) t.write(`${paint("2", `debug: ${m}`)}\n`);
    },
    group: async (title, body) => {
      if (!sections) {
        t.write(`${paint("1", title)}\n`);
        return body();
      }
      const name = `pipeline_artifacts_${++count}`;
      const now = () => Math.floor(Date.now() / 1000);
      t.write(
        `${ESC}[0Ksection_start:${now()}:${name}[collapsed=true]\r${ESC}[0K${paint("1", title)}\n`,
      );
      try {
        return await body();
      } finally {
        t.write(`${ESC}[0Ksection_end:${now()}:${name}\r${ESC}[0K\n`);
      }
    },
  };
}

/** Outputs that fit GitLab's dotenv rules: one value each, no spaces, quotes or newlines. */
const DOTENV_OUTPUTS: ReadonlySet<OutputName> = new Set([
  "job-id",
  "pipeline-id",
  "web-url",
  "archive-url",
  "file-url",
  "download-path",
  "file-count",
  "bytes",
  "sha256",
  "found",
]);
const DOTENV_VALUE = /^[^\s"'`#\\]*$/;
/** GitLab's limits for a dotenv report: 5 KB; 20 variables on self-managed by default. */
const DOTENV_MAX_BYTES = 5 * 1024;

export interface Dotenv {
  text: string;
  /** Keys left out because their value breaks GitLab's dotenv rules. */
  skipped: string[];
}

/**
 * The dotenv report: `<PREFIX>JOB_ID=1001` and so on, plus `<PREFIX>MANIFEST` naming the JSON
 * manifest that holds the lists (job ids, URLs, files), which a dotenv value cannot. Outputs
 * without a value are left out.
 */
export function dotenv(
  result: Result,
  prefix: string,
  manifestPath: string | undefined,
  base: string,
): Dotenv {
  // The manifest is saved as an artifact of this job: later jobs find it under their own build
  // folder, so it is named relative to this job's.
  const local = (path: string) => {
    const rel = relative(base, path);
    return rel.startsWith("..") || isAbsolute(rel) ? path : rel.split(sep).join("/");
  };
  const values: [string, string][] = textOutputs(result).filter(([name]) =>
    DOTENV_OUTPUTS.has(name),
  );
  if (manifestPath !== undefined) values.push(["manifest", local(manifestPath)]);
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const [name, value] of values) {
    const key = `${prefix}${name.toUpperCase().replace(/-/g, "_")}`;
    if (!DOTENV_VALUE.test(value)) skipped.push(key);
    else lines.push(`${key}=${value}`);
  }
  const text = lines.length > 0 ? `${lines.join("\n")}\n` : "";
  if (Buffer.byteLength(text) > DOTENV_MAX_BYTES)
    throw new Error("the dotenv report would pass GitLab's 5 KB limit");
  return { text, skipped };
}

export async function writeReports(
  result: Result,
  files: { dotenv?: string; prefix: string; manifest?: string; stepOutput?: string; base: string },
  manifestJson: string,
  log: Log,
): Promise<void> {
  if (files.manifest) await writeFile(files.manifest, manifestJson);
  if (files.stepOutput) await writeFile(files.stepOutput, stepOutputs(result), { flag: "a" });
  if (files.dotenv) {
    const report = dotenv(result, files.prefix, files.manifest, files.base);
    for (const key of report.skipped)
      log.warn(
        `${key} left out of the dotenv report: its value has spaces, quotes or newlines, which GitLab's dotenv does not allow (it is in the manifest)`,
      );
    await writeFile(files.dotenv, report.text);
  }
}

/** A GitLab step's outputs: one JSON object a line, `{"name": "job_id", "value": ...}`, typed. */
export function stepOutputs(result: Result): string {
  return Object.entries(outputs(result))
    .map(([name, value]) => `${JSON.stringify({ name: name.replace(/-/g, "_"), value })}\n`)
    .join("");
}
