/**
 * list: the jobs found, their archive sizes, expiry and where GitLab serves them from; with
 * files, each archive's entries, read from its central directory through HTTP ranges.
 */
import { remoteListing } from "../transfer/strategy.ts";
import { eachJob, info } from "./jobs.ts";
import type { Command } from "./session.ts";

export const list: Command<"list"> = (options, session) => {
  const said = new Set<string>();
  return eachJob(options, session, async (job) => {
    const storage = await session.api.storageOf(job.id);
    if (!options.entries) return { ...info(job), action: "listed", storage };
    const listing = await remoteListing(job, options.entries.patterns, {
      client: session.api.client,
      log: session.log,
      said,
    });
    if (listing)
      session.log.info(
        `${job.label}: ${listing.entries.length} entries, read with ${listing.transferred} bytes of its archive`,
      );
    return {
      ...info(job),
      action: "listed",
      storage,
      ...(listing ? { entries: listing.entries } : {}),
    };
  });
};
