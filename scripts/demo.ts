/**
 * `npm run demo`: starts the GitLab simulator with the sample scenario and runs the tool as a
 * job of its running pipeline would: `pipeline-artifacts download --job build` with nothing but
 * the job's CI variables, then the same for a parallel job, a matrix job and a child pipeline's job.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIST } from "./build.ts";
import { describe } from "../test/simulator/describe.ts";
import { startSimulator } from "../test/simulator/index.ts";

const scenario = new URL("../test/simulator/scenarios/sample.json", import.meta.url).pathname;
const sim = await startSimulator({ scenario, clock: "real", startTime: new Date().toISOString() });
const work = await mkdtemp(join(tmpdir(), "pipeline-artifacts-demo-"));
try {
  process.stdout.write(describe(sim, scenario));
  const jobToken = [...sim.world.tokens.values()].find((t) => t.type === "job");
  const self = sim.world.jobs.get(jobToken?.job ?? -1);
  if (!jobToken || !self)
    throw new Error("the sample scenario has no running job with a job token");
  const env = {
    PATH: process.env.PATH ?? "",
    CI_API_V4_URL: sim.apiUrl,
    CI_PROJECT_ID: String(self.pipeline.project.id),
    CI_PIPELINE_ID: String(self.pipeline.id),
    CI_JOB_ID: String(self.id),
    CI_JOB_TOKEN: jobToken.token,
  };
  for (const args of [
    ["download", "--job", "build", "--path", "build"],
    ["download", "--job", "test, package, child-build", "--path", "others"],
  ]) {
    process.stdout.write(
      `\n$ pipeline-artifacts ${args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(" ")}\n`,
    );
    const code = await new Promise<number>((resolve) =>
      spawn(process.execPath, [DIST, ...args], { env, cwd: work, stdio: "inherit" }).on(
        "exit",
        (c) => resolve(c ?? 1),
      ),
    );
    if (code !== 0) throw new Error(`pipeline-artifacts exited with ${code}`);
  }
  const files = (await readdir(work, { recursive: true, withFileTypes: true }))
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(work.length + 1))
    .sort();
  process.stdout.write(`\nFiles written:\n${files.map((f) => `  ${f}`).join("\n")}\n`);
  if (sim.log.leaks.length > 0) throw new Error("a GitLab token reached object storage");
} finally {
  await rm(work, { recursive: true, force: true });
  await sim.close();
}
