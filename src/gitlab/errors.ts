/** GitLab's refusals, turned into messages that say what happened and what to do. */
import { RunError, setting } from "../errors.ts";
import { isJobToken, type Token } from "./auth.ts";

/** Parses GitLab's error body: `{"message": ...}`, `{"error": ...}`, OAuth's `error_description`, or text. */
export function gitlabMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      message?: unknown;
      error?: unknown;
      error_description?: unknown;
    };
    const text = (v: unknown): string =>
      typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v);
    const parts = [text(parsed.message), text(parsed.error), text(parsed.error_description)].filter(
      Boolean,
    );
    if (parts.length > 0) return parts.join(": ");
  } catch {
    // not JSON: GitLab's proxies and Workhorse answer in plain text
  }
  return body.trim().slice(0, 200) || "(empty body)";
}

export interface Attempt {
  /** What the tool was doing, e.g. "listing the jobs of pipeline 500". */
  what: string;
  /** The route kind, for advice specific to job tokens. */
  route:
    | "list-pipelines"
    | "list-jobs"
    | "list-bridges"
    | "download"
    | "keep"
    | "delete"
    | "delete-project"
    | "other";
}

/** A response GitLab would not serve. Not retried. */
export class GitLabError extends RunError {
  override name = "GitLabError";
  constructor(
    readonly status: number,
    readonly gitlab: string,
    attempt: Attempt,
    token: Token,
  ) {
    super(
      `GitLab answered ${status} (${gitlab}) while ${attempt.what}`,
      adviceFor(status, gitlab, attempt, token),
    );
  }
}

function adviceFor(
  status: number,
  gitlab: string,
  attempt: Attempt,
  token: Token,
): string | undefined {
  const job = isJobToken(token);
  if (status === 401) {
    if (/expired/i.test(gitlab)) return `the token (${token.source}) has expired; create a new one`;
    if (/revoked/i.test(gitlab)) return `the token (${token.source}) was revoked; create a new one`;
    return job
      ? `the CI job token (${token.source}) is refused: it is only valid while its job runs, and only for the routes that accept job tokens`
      : `the token (${token.source}) is wrong, expired or revoked`;
  }
  if (status === 403 && /insufficient_scope/.test(gitlab))
    return `the token (${token.source}) lacks a scope this needs: use a token with ${/\bapi read_api\b/.test(gitlab) ? "read_api" : "api"} scope`;
  if (status === 403 && /token permission is required: ([\w:]+)/.test(gitlab))
    return `the CI/CD job token lacks the permission ${/required: ([\w:]+)/.exec(gitlab)?.[1]} in that project: add it to the project's fine-grained job token permissions (Settings > CI/CD > Job token permissions), or use an access token`;
  if (status === 403 && /job token not allowed/i.test(gitlab))
    return "add this project to the target project's CI/CD job token allowlist (Settings > CI/CD > Job token permissions), or use an access token";
  if (
    job &&
    (attempt.route === "list-pipelines" ||
      attempt.route === "list-jobs" ||
      attempt.route === "list-bridges") &&
    (status === 404 || status === 401 || status === 403)
  )
    return `this GitLab does not let a CI job token ${attempt.route === "list-pipelines" ? "list pipelines (the newest GitLab versions do)" : "list a pipeline's jobs (recent GitLab versions do)"}; set ${setting("token")} to a personal, project or group access token with read_api scope`;
  if (status === 403 && attempt.route === "keep")
    return `keeping artifacts needs a token with api scope whose user has at least the Developer role and, when the job's branch or tag is protected (main and release tags usually are), may push or merge to it (${token.source} may not)`;
  if (status === 403 && (attempt.route === "delete" || attempt.route === "delete-project"))
    return `deleting artifacts needs a token with api scope whose user has at least the Maintainer role (${token.source} has not)`;
  if (status === 404 && attempt.route === "keep")
    return "only unexpired artifacts can be kept: this job's have expired, or it has none";
  if (status === 409)
    return "GitLab is refreshing the project's statistics; try again in a few minutes";
  if (status === 404 && /Project Not Found/.test(gitlab))
    return `check ${setting("project")}, and that the token may see the project (Reporter or above on a private project)`;
  if ((status === 403 || status === 404) && attempt.route === "download")
    return "the token's user needs at least the Reporter role on the project, or the artifacts are restricted (artifacts:access); when GitLab proxies object storage, an expired signature or a missing object in the store answers so too";
  if (status === 403)
    return "the token's user needs at least the Reporter role on the project, or the artifacts are restricted (artifacts:access)";
  return undefined;
}

/** A request that kept failing (network errors, 5xx, 429) until retries or their time budget ran out. */
export class RetriesExhausted extends RunError {
  override name = "RetriesExhausted";
  constructor(what: string, attempts: number, last: string) {
    super(
      `gave up ${what} after ${attempts} attempts: ${last}`,
      "GitLab or the network is failing; try again later",
    );
  }
}
