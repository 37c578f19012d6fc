/**
 * `npm run demo`: starts the GitLab simulator with the sample scenario, shows what it serves,
 * and acts as the job "collect" of the running pipeline: lists its sibling jobs and downloads
 * the artifacts of "build" over real HTTP with the job token, as the tool will.
 */
import { createHash } from "node:crypto";
import { describe } from "../test/simulator/describe.ts";
import { startSimulator } from "../test/simulator/index.ts";

const scenario = new URL("../test/simulator/scenarios/sample.json", import.meta.url).pathname;
const sim = await startSimulator({ scenario, clock: "real", startTime: new Date().toISOString() });
try {
  process.stdout.write(describe(sim, scenario));
  const jobToken = [...sim.world.tokens.values()].find((t) => t.type === "job");
  const self = sim.world.jobs.get(jobToken?.job ?? -1);
  if (!jobToken || !self)
    throw new Error("the sample scenario has no running job with a job token");
  const headers = { "JOB-TOKEN": jobToken.token };
  const api = `${sim.apiUrl}/projects/${self.pipeline.project.id}`;

  const listed = await fetch(`${api}/pipelines/${self.pipeline.id}/jobs?per_page=100`, { headers });
  const jobs = (await listed.json()) as { id: number; name: string; status: string }[];
  process.stdout.write(
    `\nGET /projects/${self.pipeline.project.id}/pipelines/${self.pipeline.id}/jobs -> ${listed.status}, ${jobs.length} jobs\n`,
  );
  const build = jobs.find((j) => j.name === "build");
  if (!build) throw new Error('no job named "build" in the pipeline');

  const archive = await fetch(`${api}/jobs/${build.id}/artifacts`, { headers });
  const body = Buffer.from(await archive.arrayBuffer());
  const sha256 = createHash("sha256").update(body).digest("hex");
  process.stdout.write(
    `GET /projects/${self.pipeline.project.id}/jobs/${build.id}/artifacts -> ${archive.status}, ${body.length} bytes, sha256 ${sha256}\n`,
  );
  if (sha256 !== sim.archiveOf(build.id)?.sha256)
    throw new Error("the downloaded archive differs from the one served");
  process.stdout.write(
    "\nThe download command of pipeline-artifacts is not built yet; this demo shows the simulator it will be tested against.\n",
  );
} finally {
  await sim.close();
}
