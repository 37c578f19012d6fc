/**
 * Who is asking, and may they: GitLab's token sources, job-token acceptance per route and
 * version profile, scopes, project visibility and roles, with GitLab's error bodies.
 */
import type { IncomingMessage } from "node:http";
import {
  type Job,
  type JobTokenPolicy,
  type Project,
  type Role,
  roleAtLeast,
  statusAt,
  type Token,
  type World,
} from "./scenario.ts";

export type Caller = { kind: "anonymous" } | { kind: "token"; token: Token; viaJobToken: boolean };

/** A refusal, as GitLab writes it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | string,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

/** APIGuard's OAuth-style answer for a known token that can no longer be used. */
const invalidToken = (description: string) =>
  new ApiError(
    401,
    { error: "invalid_token", error_description: description },
    {
      "WWW-Authenticate": `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${description}"`,
    },
  );

export const unauthorized = () => new ApiError(401, { message: "401 Unauthorized" });
export const forbidden = () => new ApiError(403, { message: "403 Forbidden" });
export const projectNotFound = () => new ApiError(404, { message: "404 Project Not Found" });

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Finds the caller. A job token is only looked at on routes that accept it (elsewhere GitLab
 * ignores it and the request is anonymous); any other unknown or dead token is a 401.
 */
export function authenticate(
  world: World,
  now: number,
  req: IncomingMessage,
  query: URLSearchParams,
  acceptsJobToken: boolean,
): Caller {
  let bearer = header(req, "authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
  // A job token may also come as a Bearer token (or `?token=`).
  const bearerJob =
    bearer !== undefined && world.tokens.get(bearer)?.type === "job" ? bearer : undefined;
  if (bearerJob) bearer = undefined;
  const personal =
    header(req, "private-token") ?? query.get("private_token") ?? bearer ?? undefined;
  if (personal !== undefined) {
    const token = world.tokens.get(personal);
    if (!token || token.type === "job") throw unauthorized();
    if (token.revoked)
      throw invalidToken("Token was revoked. You have to re-authorize from the user.");
    if (token.expired)
      throw invalidToken("Token is expired. You can either do re-authorization or token refresh.");
    return { kind: "token", token, viaJobToken: false };
  }
  const job =
    query.get("job_token") ||
    query.get("token") ||
    header(req, "job-token") ||
    bearerJob ||
    undefined;
  if (job === undefined || !acceptsJobToken) return { kind: "anonymous" };
  const token = world.tokens.get(job);
  if (token?.type !== "job" || token.revoked) throw unauthorized();
  const owner = world.jobs.get(token.job ?? -1);
  if (!owner || !jobTokenAlive(owner, now)) throw unauthorized();
  return { kind: "token", token, viaJobToken: true };
}

/**
 * `Ci::AuthJobFinder#validate_executing_job!` (app/finders/ci/auth_job_finder.rb): a job
 * token works while its job executes (`Ci::HasStatus::EXECUTING_STATUSES`: running,
 * canceling) and, before that, while GitLab awaits the runner's ack of the job it handed out
 * (`runner_ack_wait_status == :waiting`, the job still `pending`).
 */
export function jobTokenAlive(job: Job, now: number): boolean {
  const status = statusAt(job, now);
  return (
    status === "running" ||
    status === "canceling" ||
    (status === "pending" && job.awaitingRunnerAck)
  );
}

/** Personal, project and OAuth tokens carry scopes; a job token is scoped by its routes. */
export function requireScope(caller: Caller, write: boolean): void {
  if (caller.kind !== "token" || caller.viaJobToken) return;
  const scopes = caller.token.scopes;
  const ok = write ? scopes.has("api") : scopes.has("api") || scopes.has("read_api");
  if (ok) return;
  // Rack::OAuth2's Forbidden, which (unlike its Unauthorized) sends no WWW-Authenticate.
  throw new ApiError(403, {
    error: "insufficient_scope",
    error_description: "The request requires higher privileges than provided by the access token.",
    scope: write ? "api" : "api read_api",
  });
}

export function roleIn(caller: Caller, project: Project): Role | undefined {
  if (caller.kind !== "token") return undefined;
  return caller.token.roles.get(project.id) ?? caller.token.role;
}

/**
 * `find_project!` (lib/api/helpers.rb): a project the caller cannot see does not exist. A job
 * token from another project reads a private project only from its allowlist
 * (`handle_job_token_failure!`); public and internal projects are readable by any job token.
 * An allowlist entry with fine-grained permissions (`default_permissions: false`) admits only
 * the routes whose `job_token_policies` it grants (`authorize_job_token_policies!`).
 */
export function findProject(
  world: World,
  caller: Caller,
  id: string,
  policy: JobTokenPolicy | undefined,
): Project {
  const project = /^\d+$/.test(id) ? world.projects.get(Number(id)) : world.projectsByPath.get(id);
  if (!project) throw projectNotFound();
  const visible =
    project.visibility === "public" ||
    (project.visibility === "internal" && caller.kind === "token") ||
    roleAtLeast(roleIn(caller, project), "guest");
  if (!visible) throw projectNotFound();
  if (caller.kind === "token" && caller.viaJobToken) {
    const source = world.jobs.get(caller.token.job ?? -1)?.pipeline.project;
    const entry = source && project.jobTokenAllowlist.get(source.id);
    // GitLab names the projects by their path (the last segment), not their full path.
    if (source && source !== project && entry === undefined && project.visibility === "private")
      throw new ApiError(403, {
        message: `403 Forbidden - Authentication by CI/CD job token not allowed from ${source.name} to ${project.name}.`,
      });
    if (entry && entry !== "all" && policy && !entry.has(policy))
      throw new ApiError(403, {
        message: `403 Forbidden - Insufficient permissions to access this resource in project ${project.name}. The following token permission is required: ${policy}.`,
      });
  }
  return project;
}

/**
 * `Gitlab::UserAccess#can_update_branch?` (push or merge) for a branch, `#can_create_tag?`
 * for a tag: on an unprotected ref, yes; on a protected one, when any protection rule that
 * matches the ref (wildcards too) admits the caller's role or names the caller's user.
 */
export function mayUpdateRef(caller: Caller, project: Project, ref: string, tag: boolean): boolean {
  const rules = project.protectedRefs.filter((r) => r.tag === tag && r.pattern.test(ref));
  if (rules.length === 0) return true;
  if (caller.kind !== "token") return false;
  const { token } = caller;
  const role = roleIn(caller, project);
  return rules.some(
    (r) =>
      r.users.has(token.user.username) || (r.allowed !== "no_one" && roleAtLeast(role, r.allowed)),
  );
}

/** Reading jobs and artifacts: anyone on a public project, Reporter and above otherwise. */
export function canRead(caller: Caller, project: Project): boolean {
  return project.visibility === "public" || roleAtLeast(roleIn(caller, project), "reporter");
}
