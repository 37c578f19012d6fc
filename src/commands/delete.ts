/** delete: the jobs' artifacts are deleted. */
import { eachJob, info } from "./jobs.ts";
import type { Command } from "./session.ts";

export const deleteArtifacts: Command<"delete"> = (options, session) =>
  eachJob(options, session, async (job) => {
    if (options.dryRun) return { ...info(job), action: "would-delete" };
    await session.api.deleteArtifacts(job.id);
    session.log.info(`${job.label}: artifacts deleted`);
    return { ...info(job), action: "deleted" };
  });
