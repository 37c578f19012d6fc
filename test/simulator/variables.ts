/**
 * The predefined CI/CD variables a job of the scenario sees — those pipeline-artifacts reads —
 * as GitLab's `Gitlab::Ci::Variables::Builder` sets them. `npm run sim` prints them; tests can
 * build a job's environment from them (`sim.ciVariables(jobId)`).
 */
import type { World } from "./scenario.ts";

export interface Origins {
  /** GitLab's URL (CI_SERVER_URL). */
  url: string;
  /** The API root (CI_API_V4_URL). */
  apiUrl: string;
}

export function ciVariables(world: World, origins: Origins, jobId: number): Record<string, string> {
  const job = world.jobs.get(jobId);
  if (job?.kind !== "build") throw new Error(`simulator: no build with id ${jobId}`);
  const { pipeline } = job;
  const token = [...world.tokens.values()].find((t) => t.type === "job" && t.job === job.id);
  const vars: Record<string, string> = {
    CI_SERVER_URL: origins.url,
    CI_API_V4_URL: origins.apiUrl,
    // The host with its port, as GitLab's Gitlab.config.gitlab.host plus a non-default port.
    CI_SERVER_FQDN: new URL(origins.url).host,
    CI_PROJECT_ID: String(pipeline.project.id),
    CI_PROJECT_PATH: pipeline.project.path,
    CI_PIPELINE_ID: String(pipeline.id),
    CI_PIPELINE_SOURCE: pipeline.source,
    CI_JOB_ID: String(job.id),
    CI_JOB_NAME: job.name,
    ...(token ? { CI_JOB_TOKEN: token.token } : {}),
    CI_COMMIT_REF_NAME: pipeline.ref,
  };
  // GitLab 18.9: lib/gitlab/ci/variables/builder/pipeline.rb `predefined_upstream_variables`,
  // set when the pipeline has a source pipeline (`Ci::Sources::Pipeline`): started by a trigger
  // job, parent-child or multi-project.
  const bridge = pipeline.sourceBridge;
  if (world.profile.upstreamVariables && bridge) {
    vars.CI_UPSTREAM_PIPELINE_ID = String(bridge.pipeline.id);
    vars.CI_UPSTREAM_PROJECT_ID = String(bridge.pipeline.project.id);
    vars.CI_UPSTREAM_JOB_ID = String(bridge.id);
  }
  return vars;
}
