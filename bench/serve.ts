/**
 * `npx tsx bench/serve.ts <corpus>`: serves one benchmark corpus (bench/corpora.ts) from the
 * simulator until stopped, and prints the variables that point a run at it — for profiling one
 * tool by hand (`strace -c -f`, `node --cpu-prof`) on the archive the benchmark measures.
 */
import { startSimulator } from "../test/simulator/index.ts";
import { mixed, stored, tiny, zip64 } from "./corpora.ts";
import { CACHE_DIR, jobEnv, pipelineScenario, print } from "./lib.ts";

const corpora = { stored, mixed, tiny, zip64 };
const name = process.argv[2] ?? "";
if (!(name in corpora))
  throw new Error(`give a corpus: ${Object.keys(corpora).join(", ")}; got ${JSON.stringify(name)}`);
const corpus = corpora[name as keyof typeof corpora]();
const sim = await startSimulator({
  scenario: pipelineScenario([
    { id: 100, name: "build", artifacts: { files: corpus.files, zip: corpus.zip } },
  ]),
  archiveDir: CACHE_DIR,
});
for (const [k, v] of Object.entries(jobEnv(sim.apiUrl))) print(`export ${k}=${v}`);
print(`# archive: ${sim.apiUrl}/projects/1/jobs/100/artifacts; job "build"; Ctrl-C stops`);
process.on("SIGINT", () => void sim.close().then(() => process.exit(0)));
process.on("SIGTERM", () => void sim.close().then(() => process.exit(0)));
