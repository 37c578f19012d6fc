/**
 * The writer thread of archive/writer.ts on its own: work given in order is done in order, across
 * batch boundaries, and its first failure names its entry and stops everything given after it.
 * (test/core/extract.test.ts runs every hostile archive through it as well.)
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile, readlink, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { crc32, deflateRawSync } from "node:zlib";
import { Corrupt } from "../../src/archive/content.ts";
import { BATCH_BYTES, EntryWriter, type WriteFailure } from "../../src/archive/writer.ts";
import { registerTemporary, removeTemporariesSync } from "../../src/util/cleanup.ts";
import { tempDir } from "../support/run.ts";

/**
 * A writer whose failures are collected; with `handles` false, its threads inflate with
 * inflateRawSync, as where zlib's handle is not as archive/inflate.ts expects it.
 */
function writer(handles = true): { w: EntryWriter; failures: WriteFailure[] } {
  const failures: WriteFailure[] = [];
  return { w: new EntryWriter((f) => failures.push(f), { handles }), failures };
}

const stored = (text: string) => {
  const bytes = Buffer.from(text);
  return { declared: { method: 0, size: bytes.length, crc: crc32(bytes) }, raw: bytes };
};
const deflated = (bytes: Buffer) => ({
  declared: { method: 8, size: bytes.length, crc: crc32(bytes) },
  raw: deflateRawSync(bytes),
});

for (const handles of [true, false])
  test(`thousands of entries, over many batches by count and by bytes, are all written exactly${handles ? "" : " (inflateRawSync)"}`, async (t) => {
    const root = await tempDir(t);
    const { w, failures } = writer(handles);
    const expected = new Map<string, Buffer>();
    // 2,100 entries (a batch takes 1,024 at most) and, among them, 6 of 600 KiB (a batch's buffer
    // holds 1 MiB): batches leave both full of entries and full of bytes.
    for (let i = 0; i < 2100; i++) {
      const folder = join(root, `d${i % 7}`, `e${i % 3}`);
      w.folder(folder);
      const bytes =
        i % 400 === 7
          ? Buffer.alloc(600 * 1024, i % 251)
          : Buffer.from(`entry ${i}\n`.repeat((i % 13) + 1));
      const { declared, raw } = i % 2 ? deflated(bytes) : stored(bytes.toString("latin1"));
      const path = join(folder, `f${i}.txt`);
      await w.file(`f${i}`, path, declared, raw, i % 3 ? 0o644 : 0o755);
      expected.set(path, bytes);
    }
    await w.link("link", join(root, "link"), Buffer.from("d0/e0/f0.txt"));
    await w.close();
    assert.deepEqual(failures, []);
    for (const [path, bytes] of expected) assert.ok((await readFile(path)).equals(bytes), path);
    assert.equal((await stat(join(root, "d3", "e0", "f3.txt"))).mode & 0o777, 0o755);
    assert.equal((await stat(join(root, "d1", "e1", "f1.txt"))).mode & 0o777, 0o644);
    assert.equal(await readlink(join(root, "link")), "d0/e0/f0.txt");
    assert.equal(await readFile(join(root, "link"), "utf8"), "entry 0\n");
  });

test("the first failure names its entry, and nothing given after it is written", async (t) => {
  const root = await tempDir(t);
  const { w, failures } = writer();
  await w.file("first", join(root, "first.txt"), stored("1").declared, stored("1").raw, 0o644);
  // There already: open fails with EEXIST (files of one folder go to one thread, in order).
  await writeFile(join(root, "second.txt"), "before\n");
  await w.file("second", join(root, "second.txt"), stored("2").declared, stored("2").raw, 0o644);
  for (let i = 0; i < 2000; i++)
    await w.file(
      `after${i}`,
      join(root, `after${i}.txt`),
      stored("3").declared,
      stored("3").raw,
      0o644,
    );
  await w.close();
  assert.equal(failures.length, 1);
  assert.equal(failures[0]?.name, "second");
  assert.match(failures[0]?.error.message ?? "", /EEXIST/);
  assert.equal((failures[0]?.error as NodeJS.ErrnoException).code, "EEXIST");
  assert.equal(w.failure, failures[0]);
  assert.deepEqual((await readdir(root)).sort(), ["first.txt", "second.txt"]);
  assert.equal(await readFile(join(root, "second.txt"), "utf8"), "before\n");
});

for (const handles of [true, false])
  test(`content that is not what the record declares: a CRC-32, a size, a file already there${handles ? "" : " (inflateRawSync)"}`, async (t) => {
    const root = await tempDir(t);
    const cases: [string, (w: EntryWriter) => Promise<void>, (f: WriteFailure) => void][] = [
      [
        "crc",
        (w) => {
          const { declared, raw } = deflated(Buffer.from("some text\n"));
          return w.file(
            "bad.txt",
            join(root, "bad.txt"),
            { ...declared, crc: declared.crc ^ 1 },
            raw,
            0o644,
          );
        },
        (f) => assert.ok(f.error instanceof Corrupt, String(f.error)),
      ],
      [
        "size",
        (w) => {
          const { declared, raw } = deflated(Buffer.alloc(5000, 1));
          return w.file("liar.bin", join(root, "liar.bin"), { ...declared, size: 100 }, raw, 0o644);
        },
        (f) => assert.equal(f.error.message, "too many bytes in the stream"),
      ],
      [
        "short",
        (w) => {
          const { declared, raw } = stored("short");
          return w.file(
            "short.txt",
            join(root, "short.txt"),
            { ...declared, size: 50 },
            raw,
            0o644,
          );
        },
        (f) => assert.equal(f.error.message, "not enough bytes in the stream"),
      ],
      [
        "exists",
        async (w) => {
          await writeFile(join(root, "there.txt"), "before\n");
          const { declared, raw } = stored("after\n");
          return w.file("there.txt", join(root, "there.txt"), declared, raw, 0o644);
        },
        (f) => assert.equal((f.error as NodeJS.ErrnoException).code, "EEXIST"),
      ],
    ];
    for (const [what, give, check] of cases) {
      const { w, failures } = writer(handles);
      await give(w);
      await w.close();
      assert.equal(failures.length, 1, what);
      check(failures[0]!);
    }
    assert.ok(!existsSync(join(root, "bad.txt")));
    assert.ok(!existsSync(join(root, "liar.bin")));
    assert.equal(await readFile(join(root, "there.txt"), "utf8"), "before\n");
  });

test("an entry larger than a batch is refused before anything is given", async () => {
  const { w, failures } = writer();
  const raw = Buffer.alloc(BATCH_BYTES + 1);
  await assert.rejects(
    w.file("huge", "/nonexistent/huge", { method: 0, size: raw.length, crc: 0 }, raw, 0o644),
    /too large for the writer/,
  );
  await w.close();
  assert.deepEqual(failures, []);
});

test(
  "a run cut short stops the threads before its temporary folder is removed",
  { timeout: 30_000 },
  async (t) => {
    const root = join(await tempDir(t), "staging");
    registerTemporary(root);
    const { w, failures } = writer();
    // Enough work that the threads are still at it: 6,000 files in 600 folders, more than the
    // two batches in flight a thread.
    for (let i = 0; i < 6_000; i++) {
      const folder = join(root, `d${i % 600}`);
      w.folder(folder);
      await w.file(`f${i}`, join(folder, `f${i}`), stored("x").declared, stored("x").raw, 0o644);
    }
    // The exit path of a stopped run (src/index.ts): synchronous, with the threads mid-work.
    removeTemporariesSync();
    assert.ok(!existsSync(root));
    await w.close();
    // Nothing was created again once the folder was gone.
    assert.ok(!existsSync(root), "a writer thread created files after the folder was removed");
    assert.equal(failures.length, 1);
    assert.match(failures[0]?.error.message ?? "", /stopped/);
  },
);
