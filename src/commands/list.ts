/** list: the jobs found, their archive sizes, expiry and where GitLab serves them from. */
import { eachJob, info } from "./jobs.ts";
import type { Command } from "./session.ts";

export const list: Command<"list"> = (options, session) =>
  eachJob(options, session, async (job) => ({
    ...info(job),
    action: "listed",
    storage: await session.api.storageOf(job.id),
  }));
