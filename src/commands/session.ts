/** What every command works with: the GitLab API, the log, timing, and the missing-job policy. */
import { RunError, setting } from "../errors.ts";
import type { GitLabApi } from "../gitlab/api.ts";
import type { RetryPolicy } from "../gitlab/client.ts";
import type { Log } from "../log.ts";
import type { IfNone, Mode, OptionsOf, Selector } from "../options.ts";
import type { JobResult, Result } from "../report.ts";
import type { PollPolicy } from "../resolve/jobs.ts";
import type { Missing } from "../resolve/targets.ts";

/** What a face gives run() besides the options. */
export interface RunContext {
  log: Log;
  /** Retry and poll timing; tests shorten them. */
  retry?: RetryPolicy;
  poll?: PollPolicy;
  userAgent?: string;
  /** How often progress is reported at most, ms. */
  progressEveryMs?: number;
  /** Aborted to stop the run (a face's SIGTERM): abort with a Cancelled error saying why. */
  signal?: AbortSignal;
}

export interface Session {
  api: GitLabApi;
  log: Log;
  poll: PollPolicy;
  progressEveryMs: number;
  /** Aborted when the run is stopped; work between requests checks it too. */
  signal: AbortSignal;
}

/** A mode's work: from its options to the Result. */
export type Command<M extends keyof OptionsOf> = (
  options: OptionsOf[M],
  session: Session,
) => Promise<Result>;

/**
 * The if-no-artifact-found policy, in one place: `fail` throws (naming every missing job, with
 * the hints they carry), `warn` logs, `ignore` says nothing. Returns the reasons, for the Result.
 */
export function settle(missing: Missing[], policy: IfNone, log: Log): string[] {
  const reasons = missing.map((m) => m.why);
  if (missing.length === 0 || policy === "ignore") return reasons;
  if (policy === "warn") {
    log.warn(`no artifacts for ${reasons.join("; ")}`);
    return reasons;
  }
  const hints = [...new Set(missing.map((m) => m.hint).filter((h) => h !== undefined))];
  throw new RunError(
    `no artifacts for ${reasons.join("; ")}`,
    hints.length > 0
      ? hints.join("; ")
      : `use ${setting("if-no-artifact-found", "warn")} or ${setting("if-no-artifact-found", "ignore")} if that is expected`,
  );
}

/**
 * A command's Result: the jobs and what was missing, with what every Result says; `rest` names
 * the pipeline the jobs were looked up in, when they were.
 */
export function resultOf(
  options: { mode: Mode; dryRun: boolean; selector?: Selector },
  jobs: JobResult[],
  missing: string[],
  rest: Partial<Result> = {},
): Result {
  const { selector } = options;
  return {
    mode: options.mode,
    dryRun: options.dryRun,
    pipelineId: undefined,
    downloadPath: undefined,
    jobs,
    found: jobs.length > 0,
    missing,
    conflicts: [],
    ...(selector?.kind === "ref" ? { ref: selector.ref } : {}),
    ...rest,
  };
}
