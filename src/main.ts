/**
 * run(options): the one entry every face calls, a short linear pipeline: a client for GitLab,
 * then the mode's command (which resolves its jobs and acts on them), then the Result. Faces
 * translate inputs in and the Result out; nothing here knows of them.
 */
import { COMMANDS } from "./commands/index.ts";
import type { Command, RunContext, Session } from "./commands/session.ts";
import { GitLabApi } from "./gitlab/api.ts";
import { GitLabClient } from "./gitlab/client.ts";
import type { Mode, Options, OptionsOf } from "./options.ts";
import type { Result } from "./report.ts";
import { DEFAULT_POLL } from "./resolve/jobs.ts";

export type { RunContext } from "./commands/session.ts";

export function run(options: Options, context: RunContext): Promise<Result> {
  const { log } = context;
  const { connection } = options;
  const client = new GitLabClient({
    baseUrl: connection.gitlabUrl,
    token: connection.token,
    caFile: connection.caFile,
    retry: context.retry,
    userAgent: context.userAgent,
    onRetry: (message) => log.warn(message),
    onExchange: (line) => log.debug(line),
  });
  const session: Session = {
    api: new GitLabApi(client, options.project),
    log,
    poll: context.poll ?? DEFAULT_POLL,
    progressEveryMs: context.progressEveryMs ?? 5_000,
  };
  return dispatch(options.mode, options, session);
}

/** The command of a mode, given the options of that mode (the options' own mode). */
function dispatch<M extends Mode>(mode: M, options: OptionsOf[M], session: Session) {
  const command: Command<M> = COMMANDS[mode];
  return command(options, session);
}
