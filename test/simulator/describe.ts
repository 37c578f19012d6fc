/** What a running simulator serves, and the CI variables a job of its scenario would see. */
import type { Simulator } from "./index.ts";
import { pipelineStatus, statusAt } from "./scenario.ts";

/** A value as one shell word: bare when safe, else in single quotes. */
const shellQuote = (value: string) =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;

export function describe(sim: Simulator, file: string): string {
  const { world, url, storageUrl } = sim;
  const now = sim.clock.now();
  const lines = [
    `GitLab simulator serving ${file}`,
    `  GitLab          ${url}`,
    `  object storage  ${storageUrl}`,
    "",
  ];
  const jobToken = [...world.tokens.values()].find((t) => t.type === "job");
  const personal = [...world.tokens.values()].find((t) => t.type !== "job" && t.scopes.has("api"));
  const job = jobToken?.job !== undefined ? world.jobs.get(jobToken.job) : undefined;
  if (job) {
    lines.push(
      `Paste into a shell to act as job "${job.name}" (${job.id}) of pipeline ${job.pipeline.id}:`,
      "",
      ...Object.entries(sim.ciVariables(job.id)).map(
        ([name, value]) => `export ${name}=${shellQuote(value)}`,
      ),
    );
  }
  if (personal)
    lines.push(
      `export GITLAB_TOKEN=${personal.token}   # personal access token: ${personal.role}, scopes ${[...personal.scopes].join(" ")}`,
    );
  lines.push("", "Pipelines and jobs:");
  for (const project of world.projects.values())
    for (const pipeline of project.pipelines) {
      const parent = pipeline.parent ? `, child of ${pipeline.parent.id}` : "";
      lines.push(
        `  ${project.path} pipeline ${pipeline.id} (${pipeline.ref}, ${pipelineStatus(pipeline, now)}${parent})`,
      );
      for (const j of pipeline.jobs) {
        const notes = [
          j.kind === "bridge" ? `trigger -> pipeline ${j.downstream?.id ?? "none yet"}` : "",
          j.retried ? "retried" : "",
          j.artifacts ? `artifacts: ${j.artifacts.storage} storage` : "",
        ].filter(Boolean);
        lines.push(
          `    ${String(j.id).padEnd(6)} ${statusAt(j, now).padEnd(8)} ${j.name}${notes.length ? `  (${notes.join(", ")})` : ""}`,
        );
      }
    }
  if (job && personal)
    lines.push(
      "",
      "Try:",
      `  curl -s -H "PRIVATE-TOKEN: $GITLAB_TOKEN" "$CI_API_V4_URL/projects/$CI_PROJECT_ID/pipelines/$CI_PIPELINE_ID/jobs"`,
    );
  lines.push("");
  return lines.join("\n");
}
