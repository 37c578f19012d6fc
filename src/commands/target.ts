/** What the commands share: the run's context, and the jobs they act on. */
import type { RetryPolicy } from "../gitlab/client.ts";
import type { Log } from "../log.ts";
import type { PollPolicy } from "../resolve/jobs.ts";

export interface RunContext {
  log: Log;
  /** Retry and poll timing; tests shorten them. */
  retry?: RetryPolicy;
  poll?: PollPolicy;
  userAgent?: string;
  /** How often progress is reported at most, ms. */
  progressEveryMs?: number;
}

/** A job to act on, whether found by name, given by id, or looked up by GitLab through a ref. */
export interface Target {
  /** Unknown when GitLab looks the job up by ref. */
  id: number | undefined;
  name: string;
  /** How messages name it. */
  label: string;
  /** What to download: the archive, or one file of it. */
  url: string;
  pipelineId: number | undefined;
  status: string | undefined;
  webUrl: string;
  /** Archive size GitLab reported (0 when unknown). */
  size: number;
  expiresAt: string | null | undefined;
}
