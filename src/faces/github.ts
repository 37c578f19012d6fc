/**
 * The GitHub-style action face: inputs from INPUT_* (action.yml), outputs to $GITHUB_OUTPUT,
 * a table to $GITHUB_STEP_SUMMARY, workflow-command logging. Used only when a GitHub-style
 * runner starts the bundle, so @actions/core's workflow commands are always understood.
 */
import * as core from "@actions/core";
import { type RawInputs, readOptions } from "../inputs/parse.ts";
import { INPUT_NAMES } from "../inputs/schema.ts";
import type { Log } from "../log.ts";
import { formatBytes } from "../log.ts";
import { run as runCore } from "../main.ts";
import { isDownloaded, type Result } from "../report.ts";
import { failure } from "./errors.ts";
import { textOutputs } from "./outputs.ts";

export async function github(
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<void> {
  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) raw[name] = core.getInput(name);
  const log: Log = {
    info: (m) => core.info(m),
    warn: (m) => core.warning(m),
    debug: (m) => core.debug(m),
    group: (title, body) => core.group(title, body),
  };
  try {
    const options = readOptions(raw, env);
    core.setSecret(options.connection.token.value);
    const result = await runCore(options, {
      log,
      userAgent: "pipeline-artifacts (action)",
      signal,
    });
    for (const [name, value] of textOutputs(result)) core.setOutput(name, value);
    if (env.GITHUB_STEP_SUMMARY) await writeSummary(result);
  } catch (e) {
    const f = failure(e, "github");
    if (f.stack) core.debug(f.stack);
    core.setFailed(f.message);
    process.exitCode = f.exitCode;
  }
}

/** The entry a GitHub Actions emulator (@github/local-action) calls; runners use src/index.ts. */
export const run = () => github(process.env);

async function writeSummary(result: Result): Promise<void> {
  const summary = core.summary.addHeading("pipeline-artifacts", 3);
  if (result.found)
    summary.addTable([
      [
        { data: "job", header: true },
        { data: "pipeline", header: true },
        { data: "files", header: true },
        { data: "size", header: true },
        { data: "sha256", header: true },
      ],
      ...result.jobs.map((j) => [
        `<a href="${j.webUrl}">${escape(j.name)}</a>${j.id === undefined ? "" : ` (${j.id})`}`,
        String(j.pipelineId ?? ""),
        isDownloaded(j) ? String(j.files.length) : j.action,
        formatBytes(j.bytes),
        isDownloaded(j) && j.sha256 ? `<code>${j.sha256.slice(0, 12)}</code>` : "",
      ]),
    ]);
  else summary.addRaw("No artifacts fetched.", true);
  for (const m of result.missing) summary.addRaw(`Not fetched: ${escape(m)}`, true);
  for (const c of result.conflicts)
    summary.addRaw(`Conflict: ${escape(c)} came from more than one job`, true);
  await summary.write();
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
