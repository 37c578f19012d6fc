/** The Result as a few readable lines (the CLI's stdout, unless --json). */
import { formatBytes } from "../log.ts";
import {
  type Action,
  type Downloaded,
  isDownloaded,
  type JobResult,
  type Result,
} from "../report.ts";

/** `build (job 1001, pipeline 500)`, or just `build` when GitLab found it by ref. */
const who = (j: JobResult) =>
  j.id === undefined
    ? j.name
    : `${j.name} (job ${j.id}${j.pipelineId ? `, pipeline ${j.pipelineId}` : ""})`;

const VERB: Record<Action, string> = {
  downloaded: "Fetched",
  "would-download": "Would fetch",
  listed: "Found",
  resolved: "Resolved",
  kept: "Kept",
  "would-keep": "Would keep",
  deleted: "Deleted",
  "would-delete": "Would delete",
};

/** A few readable lines. */
export function summary(result: Result): string {
  if (result.note) return result.note;
  // For $(...): the lines alone.
  if (result.lines) return result.lines.join("\n");
  if (!result.found) return `No artifacts found.${result.missing.map((m) => `\n  ${m}`).join("")}`;
  const action = result.jobs[0]?.action ?? "downloaded";
  const verb = VERB[action];
  const bytes = result.jobs.reduce((n, j) => n + j.bytes, 0);
  const count = `${result.jobs.length} job${result.jobs.length === 1 ? "" : "s"}`;
  const downloaded = result.jobs.filter(isDownloaded);
  if (downloaded.length === 0) {
    const rows = result.jobs.map((j) => [
      j.name,
      j.id === undefined ? "" : String(j.id),
      j.pipelineId === undefined ? "" : String(j.pipelineId),
      j.status ?? "",
      formatBytes(j.bytes),
      j.expiresAt === undefined ? "" : (j.expiresAt ?? "never"),
      j.action === "listed" ? j.storage : "",
    ]);
    const lines = [
      `${verb} the artifacts of ${count} (${formatBytes(bytes)}):`,
      ...table(["job", "id", "pipeline", "status", "size", "expires", "storage"], rows),
    ];
    for (const j of result.jobs)
      if (j.action === "listed" && j.entries) {
        lines.push(`${j.name}: ${j.entries.length} entr${j.entries.length === 1 ? "y" : "ies"}`);
        lines.push(
          ...table(
            ["path", "type", "size", "mode", "target"],
            j.entries.map((e) => [e.path, e.type, String(e.size), e.mode ?? "", e.target ?? ""]),
          ),
        );
      }
    for (const m of result.missing) lines.push(`  not found: ${m}`);
    return lines.join("\n");
  }
  const files = downloaded.reduce((n, j) => n + j.files.length, 0);
  const lines = [
    `${verb} the artifacts of ${count} (${formatBytes(bytes)}, ${files} file${files === 1 ? "" : "s"}) into ${result.downloadPath}`,
    ...downloaded.map(
      (j: Downloaded) =>
        `  ${who(j)}: ${j.files.length} file${j.files.length === 1 ? "" : "s"}, ${formatBytes(j.bytes)}${j.sha256 ? `, sha256 ${j.sha256}` : ""}${j.cacheHit ? ", from the cache" : ""}`,
    ),
  ];
  if (result.ref)
    lines.push(
      `  (from the newest successful pipeline of ${result.ref}, not the running pipeline)`,
    );
  for (const m of result.missing) lines.push(`  not fetched: ${m}`);
  for (const c of result.conflicts)
    lines.push(`  conflict: ${c} came from more than one job; the last one's copy is kept`);
  return lines.join("\n");
}

/** Left-aligned columns, two spaces apart; columns empty in every row are left out. */
function table(header: string[], rows: string[][]): string[] {
  const used = header.map((_, c) => rows.some((r) => (r[c] ?? "") !== ""));
  const cols = header.map((h, c) => [h, ...rows.map((r) => r[c] ?? "")]).filter((_, c) => used[c]);
  const widths = cols.map((col) => Math.max(...col.map((v) => v.length)));
  const line = (i: number) =>
    `  ${cols
      .map((col, c) => (col[i] ?? "").padEnd(widths[c] ?? 0))
      .join("  ")
      .trimEnd()}`;
  return [0, ...rows.map((_, i) => i + 1)].map(line);
}
