/**
 * url: resolves the jobs and prints what a shell needs, a line each — the API URL of each archive
 * (or of one file of it), the job id, or its web page — without downloading anything.
 */
import type { Print } from "../options.ts";
import type { JobInfo } from "../report.ts";
import { resolveTargets, type Target } from "../resolve/targets.ts";
import { fileUrlOf, info } from "./jobs.ts";
import { type Command, resultOf, settle } from "./session.ts";

const PRINTED: Record<Print, (job: JobInfo) => string | undefined> = {
  url: (job) => job.fileUrl ?? job.archiveUrl,
  id: (job) => (job.id === undefined ? undefined : String(job.id)),
  "web-url": (job) => job.webUrl || undefined,
};

export const url: Command<"url"> = async (options, session) => {
  const { api, log } = session;
  const found = await resolveTargets(options.selector, session);
  const missing = settle(found.missing, options.ifNoArtifactFound, log);
  const { filePath } = options;
  const fileUrl = (t: Target) => (filePath === undefined ? undefined : fileUrlOf(api, t, filePath));
  const jobs = found.targets.map((t) => ({ ...info(t, fileUrl(t)), action: "resolved" as const }));
  const lines: string[] = [];
  for (const job of jobs) {
    const line = PRINTED[options.print](job);
    if (line === undefined)
      log.warn(
        `${job.name}: no ${options.print === "id" ? "job id (GitLab's ref endpoint finds the job itself)" : "web URL (the project was given by id)"}`,
      );
    else lines.push(line);
  }
  return resultOf(options, jobs, missing, { pipelineId: found.pipelineId, lines });
};
