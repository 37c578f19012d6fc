/**
 * `npm run bench`, download + extract: each corpus (bench/corpora.ts) served by the simulator
 * from local storage, fetched and extracted by pipeline-artifacts and by its peers side by side
 * in one run, alternating (the order rotates each round), each into a fresh folder (deleting a
 * run's files is never timed) after a `sync` (nor is writing back the runs before). Prints medians of wall time, CPU (user + system, of the whole
 * process tree) and system time, the peak RSS, the ratio tool / peer, and the targets the
 * transfer engine is held to; appends the section to bench/RESULTS.md. Settings: bench/lib.ts.
 *
 * Peers: `curl -L -o a.zip URL && unzip -q a.zip`; `curl -L URL | bsdtar -x` (libarchive-tools);
 * python-gitlab streamed to a file + zipfile.extractall (python3-gitlab). A missing peer is
 * skipped with what to install.
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync, statfsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DIST } from "../scripts/build.ts";
import { type Corpus, mixed, serve, stored, tiny, zip64 } from "./corpora.ts";
import {
  CACHE_DIR,
  GiB,
  jobEnv,
  machine,
  median,
  MiB,
  missing,
  need,
  pass,
  peerSelected,
  print,
  report,
  runs,
  type Sample,
  SCALE,
  selected,
  table,
  today,
  timed,
  TOKEN,
  TOOL_NODE,
} from "./lib.ts";

const TOOL = "pipeline-artifacts";
const PYTHON_PEER = fileURLToPath(new URL("./peers/python_gitlab_download.py", import.meta.url));

interface Served {
  apiUrl: string;
  webUrl: string;
  archiveUrl: string;
}

interface Peer {
  name: string;
  /** Debian packages, checked before the first run. */
  needs: Parameters<typeof missing>[0];
  /** Runs in `dir`, extracting into `dir/out`. */
  run(dir: string, s: Served, corpus: Corpus): Promise<Sample>;
}

const curlArgs = `curl -sSfL -H "PRIVATE-TOKEN: $T"`;
const PEERS: Peer[] = [
  {
    name: TOOL,
    needs: [],
    run: (dir, s, corpus) =>
      timed(
        TOOL_NODE,
        [DIST, "download", "--job", "build", "--path", "out", ...(corpus.toolArgs ?? [])],
        dir,
        jobEnv(s.apiUrl),
      ),
  },
  {
    name: "curl+unzip",
    needs: [
      { tool: "curl", install: "curl" },
      { tool: "unzip", install: "unzip" },
    ],
    run: (dir, s) =>
      timed("sh", ["-c", `${curlArgs} -o a.zip "$U" && unzip -q a.zip -d out`], dir, {
        T: TOKEN,
        U: s.archiveUrl,
      }),
  },
  {
    name: "curl|bsdtar",
    needs: [
      { tool: "curl", install: "curl" },
      { tool: "bsdtar", install: "libarchive-tools" },
    ],
    run: (dir, s) =>
      timed("sh", ["-c", `mkdir out && ${curlArgs} "$U" | bsdtar -x -f - -C out`], dir, {
        T: TOKEN,
        U: s.archiveUrl,
      }),
  },
  {
    name: "python-gitlab",
    needs: [
      {
        tool: "/usr/bin/python3",
        install: "python3-gitlab",
        check: ["-c", "import gitlab"],
      },
    ],
    run: (dir, s) =>
      timed(
        "/usr/bin/python3",
        [PYTHON_PEER, "--url", s.webUrl, "--token", TOKEN, "--project", "1"].concat([
          "--pipeline",
          "10",
          "--job",
          "build",
          "--out",
          "out",
        ]),
        dir,
        {},
      ),
  },
];

/** What each figure is held to: a ratio of the tool's median wall time to a peer's. */
const TARGETS: Record<string, Record<string, number>> = {
  stored: { "curl+unzip": 1.0 },
  mixed: { "curl+unzip": 0.5, "curl|bsdtar": 1.0, "python-gitlab": 1.0 },
  tiny: { "curl+unzip": 1.0 },
};
const RSS_TARGET_MIB = 100;

await need("/usr/bin/time");
await mkdir(CACHE_DIR, { recursive: true });
const peers: Peer[] = [];
for (const peer of PEERS.filter((p) => peerSelected(p.name))) {
  const why = await missing(peer.needs);
  if (why) print(`SKIPPING peer ${peer.name}: ${why}`);
  else peers.push(peer);
}

const corpora = [stored, mixed, tiny, zip64].filter((c) => selected(c.name));
for (const make of corpora) await measure(make());

async function measure(corpus: Corpus): Promise<void> {
  const big = corpus.name !== "tiny";
  // The zip64 corpus is for peak RSS only: the tool alone, once unless BENCH_RUNS says more.
  const only = corpus.name === "zip64" ? peers.filter((p) => p.name === TOOL) : peers;
  const n = runs(corpus.name === "zip64" ? 1 : big ? 3 : 5);
  const fs = statfsSync(CACHE_DIR);
  const free = fs.bavail * fs.bsize;
  print(`\n== ${corpus.name}: ${corpus.description}`);
  print(
    `building the archive in ${CACHE_DIR} (cached after the first run); ${(free / GiB).toFixed(0)} GiB free`,
  );
  const built = Date.now();
  const { sim, archive } = await serve(corpus);
  print(
    `archive: ${(archive.size / MiB).toFixed(1)} MiB, ${archive.entries.length} entries (${((Date.now() - built) / 1000).toFixed(1)} s)`,
  );
  const served: Served = {
    apiUrl: sim.apiUrl,
    webUrl: sim.url,
    archiveUrl: `${sim.apiUrl}/projects/1/jobs/100/artifacts`,
  };
  const samples = new Map<string, Sample[]>(only.map((p) => [p.name, []]));
  // Runs' folders stay until the corpus is done, where the disk has room: ext4 skips inodes
  // freed in the last 60 s when it allocates new ones, so a run that follows the deletion of
  // 100,000 files spends most of its time in the kernel scanning past them (curl + unzip took
  // 86 s instead of 5 s right after such a deletion, 48 s against 9 s for the tool that ran
  // first) — a cost of the order of the runs, not of the tools.
  const extracted = archive.entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  const keep = extracted * n * only.length * 2 < free;
  const kept: string[] = [];
  try {
    for (let round = 0; round < n; round++)
      for (let k = 0; k < only.length; k++) {
        const peer = only[(round + k) % only.length] as Peer;
        const dir = await mkdtemp(join(CACHE_DIR, "run-"));
        kept.push(dir);
        try {
          // The runs before wrote a GiB or more each: written back now, not while this run writes
          // (the kernel then throttles whichever writer comes next).
          execFileSync("sync");
          const s = await peer.run(dir, served, corpus);
          const sentinel = join(dir, "out", corpus.sentinel.path);
          if (!existsSync(sentinel) || statSync(sentinel).size !== corpus.sentinel.size)
            throw new Error(`${peer.name} did not extract ${corpus.sentinel.path}`);
          samples.get(peer.name)?.push(s);
          print(
            `run ${round + 1} ${peer.name}: ${s.seconds.toFixed(2)} s, CPU ${(s.userSeconds + s.systemSeconds).toFixed(2)} s (system ${s.systemSeconds.toFixed(2)} s), peak RSS ${(s.peakKiB / 1024).toFixed(1)} MiB`,
          );
        } finally {
          if (!keep) await rm(dir, { recursive: true, force: true });
        }
      }
  } finally {
    await sim.close();
    for (const dir of kept) await rm(dir, { recursive: true, force: true });
  }

  const med = (name: string, f: (s: Sample) => number) => median((samples.get(name) ?? []).map(f));
  const ours = med(TOOL, (s) => s.seconds);
  const ourPeak = Math.max(...(samples.get(TOOL) ?? []).map((s) => s.peakKiB)) / 1024;
  const targets = TARGETS[corpus.name] ?? {};
  const rows = [...samples.keys()].map((name) => {
    const ratio = ours / med(name, (s) => s.seconds);
    const target = targets[name];
    return [
      name,
      `${med(name, (s) => s.seconds).toFixed(2)} s`,
      `${med(name, (s) => s.userSeconds + s.systemSeconds).toFixed(2)} s`,
      `${med(name, (s) => s.systemSeconds).toFixed(2)} s`,
      `${(Math.max(...(samples.get(name) ?? []).map((s) => s.peakKiB)) / 1024).toFixed(1)} MiB`,
      name === TOOL ? "" : ratio.toFixed(2),
      target === undefined ? "" : `<= ${target.toFixed(1)}: ${pass(ratio <= target)}`,
    ];
  });
  const rssTarget = corpus.name !== "tiny";
  const entries = archive.entries;
  const sum = (f: (e: (typeof entries)[number]) => number, text: boolean) =>
    entries
      .filter((e) => e.type === "file" && e.name.startsWith("bin/") !== text)
      .reduce((a, e) => a + f(e), 0);
  const textRatio =
    sum((e) => e.uncompressedSize, true) /
    Math.max(
      1,
      sum((e) => e.compressedSize, true),
    );
  const unpacked = archive.entries.reduce((a, e) => a + e.uncompressedSize, 0);
  report([
    `## ${today()}: download + extract, ${corpus.name} corpus (${(archive.size / GiB).toFixed(2)} GiB archive, ${archive.entries.length.toLocaleString("en")} entries, local storage), ${n} run${n > 1 ? "s" : ""} each${SCALE !== 1 ? `, BENCH_SCALE=${SCALE}` : ""}`,
    "",
    `Machine: ${machine()}. Corpus: ${corpus.description}; ${(unpacked / GiB).toFixed(2)} GiB extracted${textRatio > 0 ? `, the text entries deflated ${textRatio.toFixed(1)}x` : ""}.`,
    "",
    ...table(
      [
        "tool",
        "median wall",
        "median CPU (user+sys)",
        "median sys",
        "peak RSS",
        "tool / peer",
        "target",
      ],
      rows,
    ),
    "",
    `pipeline-artifacts peak RSS **${ourPeak.toFixed(1)} MiB**${rssTarget ? ` (target <= ${RSS_TARGET_MIB} MiB: ${pass(ourPeak <= RSS_TARGET_MIB)})` : ""}.`,
  ]);
}
