/**
 * The archives the transfer engine is measured on. Each is a list of entries that the
 * simulator's archive store writes to disk once (streamed, never whole in memory) and caches
 * by the hash of the list, so every figure after the first starts at once. Contents are
 * generated deterministically: the seed of every file is its name, sizes come from SEED.
 */
import { createHash } from "node:crypto";
import { type Simulator, startSimulator } from "../test/simulator/index.ts";
import type { Archive } from "../test/simulator/archives.ts";
import type { ZipEntry, ZipOptions } from "../test/simulator/zip.ts";
import { binary, CACHE_DIR, GiB, MiB, pipelineScenario, SCALE, scaled } from "./lib.ts";

const SEED = "pipeline-artifacts-bench-1";

/** A deterministic number in [0, 1) for (what, i). */
function uniform(what: string, i: number): number {
  return createHash("sha256").update(`${SEED}/${what}/${i}`).digest().readUInt32LE(0) / 2 ** 32;
}

export interface Corpus {
  name: string;
  /** How RESULTS.md describes it. */
  description: string;
  files: ZipEntry[];
  zip?: ZipOptions;
  /** A file every extraction must produce, with its size: checked after each run. */
  sentinel: { path: string; size: number };
  /** Extra flags the tool needs for this corpus. */
  toolArgs?: string[];
}

/**
 * A simulator serving the corpus as the archive of job 100, `build` (built in CACHE_DIR once,
 * then found there).
 */
export async function serve(corpus: Corpus): Promise<{ sim: Simulator; archive: Archive }> {
  const sim = await startSimulator({
    scenario: pipelineScenario([
      { id: 100, name: "build", artifacts: { files: corpus.files, zip: corpus.zip } },
    ]),
    archiveDir: CACHE_DIR,
  });
  const archive = sim.archiveOf(100);
  if (!archive) throw new Error("no archive");
  return { sim, archive };
}

const text = (name: string, size: number): ZipEntry => ({
  type: "file",
  name,
  content: { size, fill: "source" },
});

const lastFile = (files: ZipEntry[]) => {
  const last = files.findLast((f) => f.type === "file");
  if (!last || last.type !== "file" || !("size" in last.content)) throw new Error("no file");
  return { path: last.name, size: last.content.size };
};

/** 1 GiB, 99% stored: eight 128 MiB random binaries and 2,000 small deflated text files. */
export function stored(): Corpus {
  const files: ZipEntry[] = [
    ...Array.from({ length: 8 }, (_, i) => binary(`bin/part-${i}.bin`, scaled(128 * MiB))),
    ...Array.from({ length: 2000 }, (_, i): ZipEntry => ({
      type: "file",
      name: `docs/page-${i}.txt`,
      content: { size: 4096, fill: "text", seed: `page-${i}` },
    })),
  ];
  return {
    name: "stored",
    description:
      "eight 128 MiB random binaries, stored, and 2,000 deflated 4 KiB text pages (numbered lines): 1 GiB, 99% stored",
    files,
    sentinel: { path: "bin/part-7.bin", size: scaled(128 * MiB) },
  };
}

/**
 * 1 GiB, deflate-heavy: half the bytes generated text (source, build output, logs, deflating
 * 3-6x) in 1,500 files of 8 KiB to 2 MiB, the rest 60 random 8 MiB binaries, half stored, half
 * deflated (incompressible: inflate over stored blocks).
 */
export function mixed(): Corpus {
  const textBytes = scaled(512 * MiB);
  const weights = Array.from({ length: 1500 }, (_, i) => 2 ** (8 * uniform("mixed", i)));
  const sum = weights.reduce((a, b) => a + b, 0);
  const dirs = ["src/app", "src/lib/core", "build/logs", "build/reports", "dist/maps", "test/out"];
  const texts = weights.map((w, i) =>
    text(
      `${dirs[i % dirs.length]}/${i % 7 === 0 ? "job" : "file"}-${i}.${i % 3 === 0 ? "log" : i % 3 === 1 ? "ts" : "txt"}`,
      Math.max(1, Math.round((textBytes * w) / sum)),
    ),
  );
  const binaries = Array.from({ length: 60 }, (_, i) =>
    binary(`bin/blob-${i}.bin`, scaled(8 * MiB), i % 2 === 0 ? "store" : "deflate"),
  );
  // Interleaved, as a build's output folder is: inflate work is spread over the whole archive.
  const files = texts.flatMap((t, i) =>
    i % 25 === 0 && binaries[i / 25] ? [binaries[i / 25] as ZipEntry, t] : [t],
  );
  return {
    name: "mixed",
    description:
      "1,500 generated text files (code, build output, logs; 8 KiB to 2 MiB, deflating ~3.4x) holding 512 MiB, between 60 random 8 MiB binaries (30 stored, 30 deflated): 1 GiB uncompressed",
    files,
    sentinel: { path: "bin/blob-59.bin", size: scaled(8 * MiB) },
  };
}

/** 100,000 tiny files in a node_modules-like tree (nested packages), with their folders. */
export function tiny(): Corpus {
  const count = scaled(100_000, 50);
  const perPackage = 50;
  const files: ZipEntry[] = [];
  const folders = new Set<string>();
  const folder = (path: string) => {
    if (folders.has(path)) return;
    const parent = path.slice(0, path.lastIndexOf("/", path.length - 2) + 1);
    if (parent) folder(parent);
    folders.add(path);
    files.push({ type: "directory", name: path });
  };
  let root = "";
  for (let i = 0; i < count; i++) {
    const pkg = Math.floor(i / perPackage);
    const j = i % perPackage;
    // One package in five is a dependency nested in the one before it.
    if (j === 0)
      root = `${pkg % 5 === 0 || !root ? "node_modules/" : `${root}node_modules/`}pkg-${pkg}/`;
    const name =
      j < 3
        ? `${root}${["package.json", "README.md", "LICENSE"][j]}`
        : `${root}${["lib/", "dist/", "lib/internal/", "types/"][j % 4]}m${j}.${j % 4 === 3 ? "d.ts" : "js"}`;
    folder(name.slice(0, name.lastIndexOf("/") + 1));
    files.push(text(name, Math.floor(2 ** (10 * uniform("tiny", i)))));
  }
  return {
    name: "tiny",
    description: `${count.toLocaleString("en")} files of 1 B to 1 KiB (generated text, deflated) in ${folders.size.toLocaleString("en")} folders of nested node_modules packages, folders as entries too`,
    files,
    sentinel: lastFile(files),
    toolArgs: ["--max-files", String(2 * (count + folders.size))],
  };
}

/** 4.5 GiB zip64 (36 stored random 128 MiB files): peak RSS must not grow with the archive. */
export function zip64(): Corpus {
  const size = scaled(128 * MiB);
  const files = Array.from({ length: 36 }, (_, i) => binary(`bin/part-${i}.bin`, size));
  return {
    name: "zip64",
    description: `36 random ${(size / MiB).toFixed(0)} MiB binaries, stored: ${((36 * size) / GiB).toFixed(1)} GiB, zip64${SCALE < 1 ? " (forced: scaled down)" : ""}`,
    files,
    // Below 4 GiB (scaled down) the zip64 records are forced, so the same paths are read.
    zip: SCALE < 1 ? { zip64: "force" } : undefined,
    sentinel: { path: "bin/part-35.bin", size },
  };
}
