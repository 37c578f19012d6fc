/**
 * `npm run bench`, the cache (input `cache`): the 1 GiB stored corpus (bench/corpora.ts) fetched
 * and extracted by pipeline-artifacts without a cache, then with an empty cache (a miss: the
 * download plus storing the tree), then again (a hit: no archive request, the tree linked from
 * the cache). With a cache on another file system (BENCH_CACHE_OTHER_FS, default /dev/shm when
 * it is one) hits copy instead of linking: that figure too. Each round uses fresh caches and
 * folders; prints medians and the ratio download / hit, and appends them to bench/RESULTS.md.
 */
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { DIST } from "../scripts/build.ts";
import { serve, stored } from "./corpora.ts";
import {
  CACHE_DIR,
  GiB,
  jobEnv,
  machine,
  median,
  need,
  print,
  report,
  runs,
  SCALE,
  selected,
  table,
  timed,
  today,
  TOOL_NODE,
} from "./lib.ts";

if (!selected("cache")) process.exit(0);
await need("/usr/bin/time");
const RUNS = runs(3);
const corpus = stored();
const otherFs = process.env.BENCH_CACHE_OTHER_FS ?? "/dev/shm";
await mkdir(CACHE_DIR, { recursive: true });
const copies = existsSync(otherFs) && statSync(otherFs).dev !== statSync(CACHE_DIR).dev;

print("Building the 1 GiB archive (cached after the first run)...");
const { sim, archive } = await serve(corpus);
const env = jobEnv(sim.apiUrl);

const WAYS = ["download, no cache", "miss (download + store, linked)", "hit (linked)"];
if (copies)
  WAYS.push(
    "miss, cache on another file system (download + store, copied)",
    "hit, cache on another file system (copied)",
  );
const seconds = new Map<string, number[]>(WAYS.map((w) => [w, []]));

/** One run of the tool into a fresh folder, timed; checks the corpus's sentinel file. */
async function fetchOnce(way: string, cache: string | undefined): Promise<void> {
  const dir = await mkdtemp(join(CACHE_DIR, "run-"));
  try {
    sim.log.clear();
    const args = ["download", "--job", "build", "--path", "out"];
    const s = await timed(
      TOOL_NODE,
      [DIST, ...args, ...(cache ? ["--cache", cache] : [])],
      dir,
      env,
    );
    const sentinel = join(dir, "out", corpus.sentinel.path);
    if (!existsSync(sentinel) || statSync(sentinel).size !== corpus.sentinel.size)
      throw new Error(`${way}: ${corpus.sentinel.path} was not extracted`);
    const downloads = sim.log.find({ route: "archive" }).length;
    if (way.startsWith("hit") !== (downloads === 0))
      throw new Error(`${way}: ${downloads} archive request(s)`);
    seconds.get(way)?.push(s.seconds);
    print(`${way}: ${s.seconds.toFixed(2)} s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  for (let round = 0; round < RUNS; round++) {
    const cache = await mkdtemp(join(CACHE_DIR, "cache-"));
    const other = copies ? await mkdtemp(join(otherFs, "pipeline-artifacts-cache-")) : undefined;
    try {
      await fetchOnce(WAYS[0] as string, undefined);
      await fetchOnce(WAYS[1] as string, cache);
      await fetchOnce(WAYS[2] as string, cache);
      if (other) {
        await fetchOnce(WAYS[3] as string, other);
        await fetchOnce(WAYS[4] as string, other);
      }
    } finally {
      await rm(cache, { recursive: true, force: true });
      if (other) await rm(other, { recursive: true, force: true });
    }
  }
} finally {
  await sim.close();
}

const med = (way: string) => median(seconds.get(way) ?? []);
const plain = med(WAYS[0] as string);
report([
  `## ${today()}: cache hit vs download, stored corpus (${(archive.size / GiB).toFixed(2)} GiB archive, ${archive.entries.length.toLocaleString("en")} entries, local storage), ${RUNS} run${RUNS > 1 ? "s" : ""} each${SCALE !== 1 ? `, BENCH_SCALE=${SCALE}` : ""}`,
  "",
  `Machine: ${machine()}. Corpus: ${corpus.description}. Each round: fresh caches and folders; a miss's time includes storing the tree in the cache.`,
  "",
  ...table(
    ["run", "median wall", "download / this"],
    WAYS.map((way) => [
      way,
      `${med(way).toFixed(2)} s`,
      way === WAYS[0] ? "" : `${(plain / med(way)).toFixed(1)}x`,
    ]),
  ),
  "",
  `A hit is **${(plain / med(WAYS[2] as string)).toFixed(1)}x** faster than the download (target >= 10x: ${plain / med(WAYS[2] as string) >= 10 ? "PASS" : "FAIL"}).`,
]);
