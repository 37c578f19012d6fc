/**
 * Artifact archives, built from their description on disk once (deterministic, so cached by
 * the hash of the description across runs) and read back the way GitLab does.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import type { Artifacts } from "./scenario.ts";
import { type WrittenZip, writeZip } from "./zip.ts";

/** Bump when the archive writer's output changes (deflate output also depends on zlib), so stale cached archives are not reused. */
const FORMAT = `1-zlib-${process.versions.zlib}`;

export interface Archive extends WrittenZip {
  /** The archive file on disk. */
  file: string;
  /** The description's hash: names the archive, also in object-storage keys. */
  key: string;
}

export class ArchiveStore {
  readonly #building = new Map<string, Promise<Archive>>();
  constructor(readonly dir = join(tmpdir(), "pipeline-artifacts-simulator")) {
    mkdirSync(dir, { recursive: true });
  }

  /** The archive for these artifacts, built unless an identical one is on disk already. */
  get(artifacts: Pick<Artifacts, "files" | "zip">): Promise<Archive> {
    const key = createHash("sha256")
      .update(JSON.stringify({ FORMAT, files: artifacts.files, zip: artifacts.zip ?? {} }))
      .digest("hex")
      .slice(0, 32);
    let archive = this.#building.get(key);
    if (!archive) {
      archive = this.#build(key, artifacts);
      this.#building.set(key, archive);
      archive.catch(() => this.#building.delete(key));
    }
    return archive;
  }

  async #build(key: string, artifacts: Pick<Artifacts, "files" | "zip">): Promise<Archive> {
    const file = join(this.dir, `${key}.zip`);
    const meta = join(this.dir, `${key}.json`);
    // The metadata is written after the archive is renamed into place: if it exists, both do.
    if (existsSync(meta) && existsSync(file))
      return { ...(JSON.parse(readFileSync(meta, "utf8")) as WrittenZip), file, key };
    const written = await writeZip(artifacts.files, file, artifacts.zip);
    writeFileSync(meta, JSON.stringify(written));
    return { ...written, file, key };
  }
}

export const openRange = (archive: Archive, start: number, end: number): Readable =>
  createReadStream(archive.file, { start, end, highWaterMark: 256 * 1024 });

export interface FoundEntry {
  /** Uncompressed size as the central directory declares it. */
  size: number;
  open(): Promise<Readable>;
  close(): void;
}

/**
 * Finds an entry by its exact name (first match, as Workhorse's Go zip reader does) without
 * validating names: hostile archives are served as they are.
 * Resolves undefined when there is no such entry; rejects when the file is not a zip.
 */
export function findEntry(archive: Archive, name: string): Promise<FoundEntry | undefined> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      archive.file,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false },
      (err, zip) => {
        if (err || !zip) return reject(err);
        const wanted = Buffer.from(name, "utf8");
        let done = false;
        zip.on("error", (e) => {
          zip.close();
          if (!done) reject(e);
        });
        zip.on("end", () => {
          zip.close();
          if (!done) resolve(undefined);
        });
        zip.on("entry", (entry: yauzl.Entry) => {
          if (!wanted.equals(entry.fileName as unknown as Buffer)) return zip.readEntry();
          done = true;
          resolve({
            size: entry.uncompressedSize,
            open: () =>
              new Promise((ok, fail) =>
                zip.openReadStream(entry, (e, stream) => (e || !stream ? fail(e) : ok(stream))),
              ),
            close: () => zip.close(),
          });
        });
        zip.readEntry();
      },
    );
  });
}
