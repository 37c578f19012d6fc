/** keep: the jobs' artifacts no longer expire. */
import { eachJob, info } from "./jobs.ts";
import type { Command } from "./session.ts";

export const keep: Command<"keep"> = (options, session) =>
  eachJob(options, session, async (job) => {
    if (options.dryRun) return { ...info(job), action: "would-keep" };
    const kept = await session.api.keep(job.id);
    session.log.info(
      `${job.label}: artifacts kept${kept.artifacts_expire_at ? ` until ${kept.artifacts_expire_at}` : " with no expiry"}`,
    );
    return { ...info(job), expiresAt: kept.artifacts_expire_at, action: "kept" };
  });
