/**
 * run(options): the one entry every face calls, a short linear pipeline: a client for GitLab,
 * then the mode's command (which resolves its jobs and acts on them), then the Result. Faces
 * translate inputs in and the Result out; nothing here knows of them.
 */
import { COMMANDS } from "./commands/index.ts";
import type { Command, RunContext, Session } from "./commands/session.ts";
import { Cancelled, setting } from "./errors.ts";
import { GitLabApi } from "./gitlab/api.ts";
import { GitLabClient } from "./gitlab/client.ts";
import type { Mode, Options, OptionsOf } from "./options.ts";
import type { Result } from "./report.ts";
import { DEFAULT_POLL } from "./resolve/jobs.ts";

export type { RunContext } from "./commands/session.ts";

export async function run(options: Options, context: RunContext): Promise<Result> {
  const { log } = context;
  const { connection } = options;
  // One signal stops everything in flight: the face's (a SIGTERM) or the run's own timeout.
  const stop = new AbortController();
  const outer = context.signal;
  const relay = () => stop.abort(outer?.reason);
  if (outer?.aborted) relay();
  outer?.addEventListener("abort", relay, { once: true });
  const { timeoutMs } = options;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            stop.abort(
              new Cancelled(
                `the run took longer than timeout (${timeoutMs / 1000} s)`,
                `raise ${setting("timeout")} if the work is expected to take longer`,
              ),
            ),
          timeoutMs,
        );
  const client = new GitLabClient({
    baseUrl: connection.gitlabUrl,
    token: connection.token,
    caFile: connection.caFile,
    retry: context.retry,
    userAgent: context.userAgent,
    onRetry: (message) => log.warn(message),
    onExchange: (line) => log.debug(line),
    stallMs: connection.stallMs,
    signal: stop.signal,
  });
  const session: Session = {
    api: new GitLabApi(client, options.project),
    log,
    poll: context.poll ?? DEFAULT_POLL,
    progressEveryMs: context.progressEveryMs ?? 5_000,
    signal: stop.signal,
  };
  try {
    return await dispatch(options.mode, options, session);
  } catch (e) {
    // Stopped: say what it was doing; the work in flight has cleaned up after itself.
    const why = stop.signal.reason as unknown;
    if (!stop.signal.aborted || !(why instanceof Cancelled)) throw e;
    throw new Cancelled(`${why.summary}, while ${client.activity}`, why.hint, { cause: e });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", relay);
  }
}

/** The command of a mode, given the options of that mode (the options' own mode). */
function dispatch<M extends Mode>(mode: M, options: OptionsOf[M], session: Session) {
  const command: Command<M> = COMMANDS[mode];
  return command(options, session);
}
