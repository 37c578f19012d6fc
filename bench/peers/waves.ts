/**
 * The fewest-waves peer of the resolution benchmark: a script that already knows how many pages
 * the pipeline's job list has, so it asks for all of them at once, with the trigger jobs, in one
 * wave; then each child pipeline's jobs and trigger jobs in the next. No client can do better
 * than one wave per pipeline level. Prints the id of the newest job of that name, parent first.
 *
 *   node waves.mjs API_URL TOKEN PROJECT PIPELINE PAGES NAME   (bundled by bench/resolve.ts)
 */
import { Agent, get } from "node:http";

const [apiUrl, token, project, pipeline, pagesArg, name] = process.argv.slice(2);
if (!apiUrl || !token || !project || !pipeline || !pagesArg || !name)
  throw new Error("usage: waves API_URL TOKEN PROJECT PIPELINE PAGES NAME");

interface Row {
  id: number;
  name: string;
  downstream_pipeline?: { id: number; project_id: number } | null;
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
let requests = 0;

function rows(path: string): Promise<{ rows: Row[]; totalPages: number | undefined }> {
  requests++;
  return new Promise((resolve, reject) => {
    get(`${apiUrl}${path}`, { agent, headers: { "PRIVATE-TOKEN": token } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        if (res.statusCode !== 200) return reject(new Error(`${path}: ${res.statusCode}`));
        const total = res.headers["x-total-pages"];
        resolve({
          rows: JSON.parse(Buffer.concat(chunks).toString()) as Row[],
          totalPages: typeof total === "string" ? Number(total) : undefined,
        });
      });
    }).on("error", reject);
  });
}

const list = (id: number, what: "jobs" | "bridges", page: number) =>
  rows(`/projects/${project}/pipelines/${id}/${what}?per_page=100&page=${page}`);

/** One pipeline level in one wave: every known page of jobs, and the trigger jobs. */
async function level(id: number, pages: number): Promise<{ jobs: Row[]; children: number[] }> {
  const [bridges, ...jobPages] = await Promise.all([
    list(id, "bridges", 1),
    ...Array.from({ length: pages }, (_, i) => list(id, "jobs", i + 1)),
  ]);
  const jobs = jobPages.flatMap((p) => p.rows);
  // A child whose page count was not known up front (a small child: one page) gets the rest now.
  const more = (jobPages[0]?.totalPages ?? 1) - pages;
  if (more > 0)
    for (const p of await Promise.all(
      Array.from({ length: more }, (_, i) => list(id, "jobs", pages + i + 1)),
    ))
      jobs.push(...p.rows);
  const children = (bridges?.rows ?? []).flatMap((b) =>
    b.downstream_pipeline && String(b.downstream_pipeline.project_id) === project
      ? [b.downstream_pipeline.id]
      : [],
  );
  return { jobs, children };
}

let wave = [{ id: Number(pipeline), pages: Number(pagesArg) }];
const order: Row[][] = [];
while (wave.length > 0) {
  const levels = await Promise.all(wave.map((p) => level(p.id, p.pages)));
  order.push(...levels.map((l) => l.jobs));
  wave = levels.flatMap((l) => l.children.sort((a, b) => a - b)).map((id) => ({ id, pages: 1 }));
}
const found = order
  .map((jobs) => jobs.filter((j) => j.name === name).sort((a, b) => b.id - a.id)[0])
  .find((j) => j !== undefined);
agent.destroy();
if (!found) throw new Error(`no job named ${name}`);
process.stdout.write(`${found.id} ${requests}\n`);
