// Every archive is read back with yauzl, an independent reader, with its
// strictest options; raw bytes are checked where yauzl hides the detail
// (zip64 records, data descriptors, flags).

import { buffer } from "node:stream/consumers";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import yauzl from "yauzl";
import { type Content, contentStream, writeZip, type ZipEntry } from "./zip.ts";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "zip-test-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface ReadOptions {
  decodeStrings?: boolean;
  strictFileNames?: boolean;
}

/**
 * Opens with yauzl (lazy, strict) and calls onEntry for each entry in order.
 * A Buffer is read with yauzl.fromBuffer: same parser, but without the two
 * small fs reads per entry that make 70,000 entries take seconds.
 */
function readZip(
  file: string | Buffer,
  onEntry: (zip: yauzl.ZipFile, entry: yauzl.Entry) => Promise<void>,
  options: ReadOptions = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const opts = {
      lazyEntries: true,
      strictFileNames: options.strictFileNames ?? true,
      validateEntrySizes: true,
      decodeStrings: options.decodeStrings ?? true,
    };
    const onOpen = (err: Error | null, zip: yauzl.ZipFile) => {
      if (err) return reject(err);
      let count = 0;
      zip.on("error", reject);
      zip.on("end", () => resolve(count));
      zip.on("entry", (entry: yauzl.Entry) => {
        count++;
        onEntry(zip, entry).then(
          () => zip.readEntry(),
          (e) => {
            zip.close();
            reject(e);
          },
        );
      });
      zip.readEntry();
    };
    if (typeof file === "string") yauzl.open(file, opts, onOpen);
    else yauzl.fromBuffer(file, opts, onOpen);
  });
}

async function readEntryData(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return buffer(await zip.openReadStreamPromise(entry));
}

/** Entries keyed by name with their data (for small archives). */
async function readAll(file: string): Promise<Map<string, { entry: yauzl.Entry; data: Buffer }>> {
  const result = new Map<string, { entry: yauzl.Entry; data: Buffer }>();
  await readZip(file, async (zip, entry) => {
    result.set(entry.fileName, { entry, data: await readEntryData(zip, entry) });
  });
  return result;
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The last 22 bytes are the EOCD: the writer never writes an archive comment. */
function eocd(bytes: Buffer) {
  const at = bytes.length - 22;
  assert.equal(bytes.readUInt32LE(at), 0x06054b50);
  return {
    at,
    count: bytes.readUInt16LE(at + 10),
    cdSize: bytes.readUInt32LE(at + 12),
    cdOffset: bytes.readUInt32LE(at + 16),
  };
}

const hasZip64Eocd = (bytes: Buffer) =>
  bytes.length >= 22 + 20 + 56 &&
  bytes.readUInt32LE(bytes.length - 22 - 20) === 0x07064b50 &&
  bytes.readUInt32LE(bytes.length - 22 - 20 - 56) === 0x06064b50;

const sample: ZipEntry[] = [
  { type: "directory", name: "out" },
  { type: "directory", name: "out/private/", mode: 0o700 },
  { type: "file", name: "out/hello.txt", content: { text: "hello\n" } },
  { type: "file", name: "out/run.sh", content: { text: "#!/bin/sh\necho hi\n" }, mode: 0o755 },
  { type: "file", name: "out/raw.bin", content: { base64: "AAECA/8=" }, method: "store" },
  { type: "file", name: "out/empty", content: { text: "" } },
  { type: "file", name: "out/rand.bin", content: { size: 300_000, fill: "random" } },
  { type: "file", name: "out/zeros", content: { size: 2_000_000, fill: "zeros" } },
  { type: "file", name: "out/log.txt", content: { size: 3_000_000, fill: "text", seed: "s" } },
  { type: "file", name: "out/ünïcödé €.txt", content: { text: "utf-8 name" } },
  { type: "symlink", name: "out/link", target: "hello.txt" },
];

async function expectedData(entry: ZipEntry): Promise<Buffer> {
  if (entry.type === "directory") return Buffer.alloc(0);
  if (entry.type === "symlink") return Buffer.from(entry.target);
  const c: Content = entry.content;
  // writeZip defaults the seed of generated content to the entry name.
  return buffer(contentStream("size" in c ? { ...c, seed: c.seed ?? entry.name } : c));
}

describe("writeZip", () => {
  test("writes files, directories and symlinks that yauzl reads back exactly", async () => {
    const file = join(dir, "sample.zip");
    const written = await writeZip(sample, file);
    const bytes = await readFile(file);
    assert.equal(written.size, bytes.length);
    assert.equal(written.sha256, sha256(bytes));
    assert.equal(eocd(bytes).count, sample.length);
    assert.equal(hasZip64Eocd(bytes), false, "no zip64 for a small archive in auto mode");

    const read = await readAll(file);
    assert.deepEqual(
      [...read.keys()],
      sample.map((e) => (e.type === "directory" && !e.name.endsWith("/") ? `${e.name}/` : e.name)),
    );
    for (const [i, e] of sample.entries()) {
      const w = written.entries[i];
      assert.ok(w);
      const got = read.get(w.name);
      assert.ok(got, w.name);
      const { entry, data } = got;
      assert.ok(data.equals(await expectedData(e)), `content of ${e.name}`);
      const mode = entry.externalFileAttributes >>> 16;
      const expectedMode =
        e.type === "file"
          ? 0o100000 | (e.mode ?? 0o644)
          : e.type === "directory"
            ? 0o040000 | (e.mode ?? 0o755)
            : 0o120777;
      assert.equal(mode.toString(8), expectedMode.toString(8), `mode of ${e.name}`);
      assert.equal(entry.externalFileAttributes & 0x10, e.type === "directory" ? 0x10 : 0);
      assert.equal(entry.versionMadeBy, (3 << 8) | 63);
      assert.equal(entry.extraFieldLength, 0);
      const deflated = e.type === "file" && e.method !== "store";
      assert.equal(entry.compressionMethod, deflated ? 8 : 0, `method of ${e.name}`);
      assert.equal(entry.generalPurposeBitFlag, /^[\x20-\x7e]*$/.test(e.name) ? 0 : 0x800);
      assert.equal(
        entry.getLastModDate({ timezone: "UTC" }).toISOString(),
        "2026-01-01T00:00:00.000Z",
      );
      // What writeZip reports is what the central directory says.
      assert.equal(w.type, e.type);
      assert.equal(w.localHeaderOffset, entry.relativeOffsetOfLocalHeader);
      assert.equal(w.compressedSize, entry.compressedSize);
      assert.equal(w.uncompressedSize, entry.uncompressedSize);
      assert.equal(w.crc32, entry.crc32);
      assert.equal(w.crc32, zlib.crc32(data));
    }
    // The text fill compresses well (the simulator relies on it for big, cheap archives).
    const log = read.get("out/log.txt");
    assert.ok(log && log.entry.compressedSize < log.entry.uncompressedSize / 10);
    assert.match(log.data.subarray(0, 100).toString(), /^s line 0: .*\ns line 1: /);
  });

  test("is deterministic, and mtime only changes the timestamps", async () => {
    const a = await writeZip(sample, join(dir, "det-a.zip"));
    const b = await writeZip(sample, join(dir, "det-b.zip"));
    assert.equal(a.sha256, b.sha256);
    assert.ok(
      (await readFile(join(dir, "det-a.zip"))).equals(await readFile(join(dir, "det-b.zip"))),
    );

    const mtime = new Date("2031-07-15T13:45:30Z");
    const c = await writeZip(sample, join(dir, "det-c.zip"), { mtime });
    assert.notEqual(c.sha256, a.sha256);
    assert.equal(c.size, a.size);
    for (const { entry } of (await readAll(join(dir, "det-c.zip"))).values()) {
      assert.equal(entry.getLastModDate({ timezone: "UTC" }).getTime(), mtime.getTime());
    }
  });

  test("writes data descriptors with flag bit 3, like gitlab-runner's Go writer", async () => {
    for (const zip64 of ["auto", "force"] as const) {
      const file = join(dir, `dd-${zip64}.zip`);
      await writeZip(sample, file, { dataDescriptors: true, zip64 });
      const bytes = await readFile(file);
      const expected = new Map(sample.map((e) => [e.name.replace(/^out$/, "out/"), e]));
      await readZip(file, async (zip, entry) => {
        const e = expected.get(entry.fileName);
        assert.ok(e);
        assert.ok((await readEntryData(zip, entry)).equals(await expectedData(e)));
        const header = await zip.readLocalFileHeaderPromise(entry);
        if (e.type === "directory") {
          assert.equal(entry.generalPurposeBitFlag & 0x8, 0, "directories have no descriptor");
          return;
        }
        assert.equal(entry.generalPurposeBitFlag & 0x8, 0x8);
        assert.equal(header.crc32, 0, "local CRC is zero with a descriptor");
        const at = header.fileDataStart + entry.compressedSize;
        assert.equal(bytes.readUInt32LE(at), 0x08074b50);
        assert.equal(bytes.readUInt32LE(at + 4), entry.crc32);
        if (zip64 === "force") {
          // zip64 descriptors carry 8-byte sizes.
          assert.equal(Number(bytes.readBigUInt64LE(at + 8)), entry.compressedSize);
          assert.equal(Number(bytes.readBigUInt64LE(at + 16)), entry.uncompressedSize);
        } else {
          assert.equal(bytes.readUInt32LE(at + 8), entry.compressedSize);
          assert.equal(bytes.readUInt32LE(at + 12), entry.uncompressedSize);
          const next = bytes.readUInt32LE(at + 16); // next local header or central directory
          assert.ok(next === 0x04034b50 || next === 0x02014b50, "nothing after the descriptor");
        }
      });
    }
  });

  test('zip64 "force" writes zip64 extras and records that yauzl must use', async () => {
    const file = join(dir, "force.zip");
    const written = await writeZip(sample, file, { zip64: "force" });
    const bytes = await readFile(file);
    assert.ok(hasZip64Eocd(bytes));
    const end = eocd(bytes);
    assert.deepEqual([end.count, end.cdSize, end.cdOffset], [0xffff, 0xffffffff, 0xffffffff]);
    const rec = end.at - 20 - 56;
    assert.equal(Number(bytes.readBigUInt64LE(end.at - 20 + 8)), rec, "locator points to record");
    assert.equal(Number(bytes.readBigUInt64LE(rec + 32)), sample.length);

    const read = await readAll(file);
    assert.equal(read.size, sample.length);
    for (const [i, e] of sample.entries()) {
      const w = written.entries[i];
      assert.ok(w);
      const got = read.get(w.name);
      assert.ok(got);
      assert.ok(got.data.equals(await expectedData(e)));
      const { entry } = got;
      assert.equal(entry.versionNeededToExtract, 45);
      // Central: all three values, in the order uncompressed, compressed, offset.
      const extra = entry.extraFields.find((f) => f.id === 0x0001);
      assert.ok(extra);
      assert.equal(extra.data.length, 24);
      assert.equal(Number(extra.data.readBigUInt64LE(0)), w.uncompressedSize);
      assert.equal(Number(extra.data.readBigUInt64LE(8)), w.compressedSize);
      assert.equal(Number(extra.data.readBigUInt64LE(16)), w.localHeaderOffset);
      // Local: both sizes, with 0xFFFFFFFF in the 32-bit fields.
      const at = w.localHeaderOffset;
      assert.equal(bytes.readUInt32LE(at + 18), 0xffffffff);
      assert.equal(bytes.readUInt32LE(at + 22), 0xffffffff);
      const local = at + 30 + bytes.readUInt16LE(at + 26);
      assert.equal(bytes.readUInt16LE(at + 28), 20);
      assert.equal(bytes.readUInt16LE(local), 0x0001);
      assert.equal(bytes.readUInt16LE(local + 2), 16);
      assert.equal(Number(bytes.readBigUInt64LE(local + 4)), w.uncompressedSize);
      assert.equal(Number(bytes.readBigUInt64LE(local + 12)), w.compressedSize);
    }
  });

  test("70,000 entries use the zip64 end records in auto mode", async () => {
    const n = 70_000;
    const entries: ZipEntry[] = [];
    for (let i = 0; i < n; i++) {
      entries.push({ type: "file", name: `f/${i}`, content: { text: `${i}` }, method: "store" });
    }
    const file = join(dir, "many.zip");
    const written = await writeZip(entries, file);
    assert.equal(written.entries.length, n);
    const bytes = await readFile(file);
    assert.ok(hasZip64Eocd(bytes));
    assert.equal(eocd(bytes).count, 0xffff);
    let i = 0;
    const count = await readZip(bytes, async (_zip, entry) => {
      assert.equal(entry.fileName, `f/${i}`);
      assert.equal(entry.extraFieldLength, 0, "entries themselves need no zip64 extra");
      i++;
    });
    assert.equal(count, n);
  });

  test("writes hostile names raw: traversal, absolute, duplicates, backslashes", async () => {
    const names = [
      "../evil",
      "/etc/passwd",
      "a/../../b",
      "dup",
      "dup",
      "back\\slash",
      "C:/windows",
      "ok/../../../ünï",
    ];
    const entries: ZipEntry[] = names.map((name, i) => ({
      type: "file",
      name,
      content: { text: `entry ${i}` },
    }));
    const file = join(dir, "hostile.zip");
    await writeZip(entries, file);

    // yauzl's default validation refuses the first one.
    await assert.rejects(
      readZip(file, async () => {}),
      /invalid relative path: \.\.\/evil/,
    );
    // Raw names (decodeStrings: false skips all name validation).
    const raw: Buffer[] = [];
    const data: string[] = [];
    await readZip(
      file,
      async (zip, entry) => {
        raw.push(entry.fileName as unknown as Buffer);
        data.push((await readEntryData(zip, entry)).toString());
      },
      { decodeStrings: false },
    );
    assert.deepEqual(
      raw.map((b) => b.toString("utf8")),
      names,
    );
    assert.deepEqual(
      data,
      names.map((_, i) => `entry ${i}`),
    );
  });

  test("badCrc writes a wrong CRC-32 (yauzl does not check CRCs, so check it here)", async () => {
    const file = join(dir, "badcrc.zip");
    const written = await writeZip(
      [
        { type: "file", name: "bad", content: { text: "some content" }, badCrc: true },
        { type: "file", name: "bad-big", content: { size: 100_000, fill: "random" }, badCrc: true },
        { type: "file", name: "good", content: { text: "some content" } },
      ],
      file,
      { dataDescriptors: true },
    );
    const read = await readAll(file);
    for (const name of ["bad", "bad-big"]) {
      const got = read.get(name);
      assert.ok(got);
      const actual = zlib.crc32(got.data);
      assert.notEqual(got.entry.crc32, actual);
      assert.equal(got.entry.crc32, (actual ^ 0xffffffff) >>> 0);
      assert.equal(written.entries.find((w) => w.name === name)?.crc32, got.entry.crc32);
    }
    const good = read.get("good");
    assert.ok(good);
    assert.equal(good.entry.crc32, zlib.crc32(good.data));
  });

  test("declaredSize lies about the uncompressed size", async () => {
    const content: Content = { size: 10_000, fill: "text" };
    for (const [declaredSize, message] of [
      [100, /too many bytes in the stream/],
      [20_000, /not enough bytes in the stream/],
    ] as const) {
      const file = join(dir, `declared-${declaredSize}.zip`);
      const written = await writeZip([{ type: "file", name: "f", content, declaredSize }], file);
      assert.equal(written.entries[0]?.uncompressedSize, declaredSize);
      await assert.rejects(
        readZip(file, async (zip, entry) => {
          assert.equal(entry.uncompressedSize, declaredSize);
          await readEntryData(zip, entry);
        }),
        message,
      );
    }
    const file = join(dir, "declared-store.zip");
    await writeZip([{ type: "file", name: "f", content, declaredSize: 5, method: "store" }], file);
    await assert.rejects(
      readZip(file, async () => {}),
      /compressed\/uncompressed size mismatch/,
    );
  });

  test("overlapBomb: every entry valid, each one's data running into the next, one kernel shared", async () => {
    const file = join(dir, "overlap.zip");
    const kernelSize = 1 << 20;
    const written = await writeZip([], file, { overlapBomb: { entries: 40, kernelSize } });
    const bytes = await readFile(file);
    const ends: number[] = [];
    let total = 0;
    const count = await readZip(file, async (zip, entry) => {
      const data = await readEntryData(zip, entry);
      assert.equal(zlib.crc32(data), entry.crc32, entry.fileName);
      assert.equal(data.length, entry.uncompressedSize);
      // Each entry inflates to the local headers after it, then the kernel of zeros.
      assert.ok(data.subarray(data.length - kernelSize).every((b) => b === 0));
      const start = entry.relativeOffsetOfLocalHeader + 30 + Buffer.byteLength(entry.fileName);
      ends.push(start + entry.compressedSize);
      total += data.length;
    });
    assert.equal(count, 40);
    assert.deepEqual(
      written.entries.map((e) => e.name),
      Array.from({ length: 40 }, (_, i) => `bomb/${String(i).padStart(2, "0")}`),
    );
    // All data ranges end at the same byte: the kernel's end, where the central directory starts.
    assert.deepEqual(new Set(ends), new Set([eocd(bytes).cdOffset]));
    assert.ok(total > 40 * kernelSize && bytes.length < 20_000, `${total} from ${bytes.length}`);
  });

  test("truncate cuts the finished archive, and the size and hash describe the cut file", async () => {
    const file = join(dir, "cut.zip");
    const whole = await writeZip(sample.slice(0, 4), join(dir, "whole.zip"));
    const written = await writeZip(sample.slice(0, 4), file, { truncate: 100 });
    const bytes = await readFile(file);
    assert.equal(bytes.length, 100);
    assert.equal(written.size, 100);
    assert.equal(written.sha256, sha256(bytes));
    assert.ok(bytes.equals((await readFile(join(dir, "whole.zip"))).subarray(0, 100)));
    assert.ok(whole.size > 100);
    await assert.rejects(
      readZip(file, async () => {}),
      /End of central directory record signature not found/,
    );
  });

  test("streams a 64 MiB random file", async () => {
    const size = 64 * 1024 * 1024;
    const content: Content = { size, fill: "random", seed: "big" };
    const file = join(dir, "big.zip");
    const written = await writeZip(
      [
        { type: "file", name: "big.bin", content, method: "store" },
        { type: "file", name: "after", content: { text: "after" } },
      ],
      file,
    );
    assert.equal((await stat(file)).size, written.size);

    const expected = createHash("sha256");
    for await (const chunk of contentStream(content)) expected.update(chunk as Buffer);
    const hashes = new Map<string, string>();
    await readZip(file, async (zip, entry) => {
      const hash = createHash("sha256");
      let n = 0;
      for await (const chunk of await zip.openReadStreamPromise(entry)) {
        hash.update(chunk as Buffer);
        n += (chunk as Buffer).length;
      }
      hashes.set(entry.fileName, hash.digest("hex"));
      if (entry.fileName === "big.bin") assert.equal(n, size);
    });
    assert.equal(hashes.get("big.bin"), expected.digest("hex"));
    assert.equal(hashes.get("after"), sha256(Buffer.from("after")));
  });

  test("never leaves a temporary or partial file behind", async () => {
    const sub = await mkdtemp(join(dir, "tmp-"));
    await writeZip(sample, join(sub, "ok.zip"));
    assert.deepEqual(await readdir(sub), ["ok.zip"]);
    await assert.rejects(
      writeZip(
        [
          { type: "file", name: "a", content: { text: "a" } },
          { type: "file", name: "b", content: { size: -1, fill: "zeros" } },
        ],
        join(sub, "bad.zip"),
      ),
      RangeError,
    );
    assert.deepEqual(await readdir(sub), ["ok.zip"]);
  });
});

describe("contentStream", () => {
  test("generates exact sizes, deterministic per (seed, size), prefixes agree", async () => {
    for (const fill of ["random", "zeros", "text", "source"] as const) {
      const a = await buffer(contentStream({ size: 2_500_000, fill, seed: "x" }));
      const b = await buffer(contentStream({ size: 2_500_000, fill, seed: "x" }));
      const short = await buffer(contentStream({ size: 1_234_567, fill, seed: "x" }));
      const other = await buffer(contentStream({ size: 2_500_000, fill, seed: "y" }));
      assert.equal(a.length, 2_500_000);
      assert.ok(a.equals(b), fill);
      assert.ok(short.equals(a.subarray(0, short.length)), fill);
      assert.equal(a.equals(other), fill === "zeros", fill);
      assert.equal((await buffer(contentStream({ size: 0, fill }))).length, 0);
    }
    const zeros = await buffer(contentStream({ size: 100_000, fill: "zeros" }));
    assert.ok(zeros.every((byte) => byte === 0));
    const text = (
      await buffer(contentStream({ size: 100_000, fill: "text", seed: "é" }))
    ).toString();
    assert.match(text, /^é line 0: [ -~]+\né line 1: /);
    assert.deepEqual(await buffer(contentStream({ text: "ünï" })), Buffer.from("ünï"));
    assert.deepEqual(await buffer(contentStream({ base64: "AAEC" })), Buffer.from([0, 1, 2]));
  });

  test("the source fill is printable lines that deflate 3-6x, like a build's text", async () => {
    const data = await buffer(contentStream({ size: 4_000_000, fill: "source", seed: "s" }));
    const lines = data.toString("latin1").split("\n");
    assert.ok(lines.length > 20_000);
    for (const line of lines) assert.match(line, /^[ -~]{0,400}$/);
    assert.ok(new Set(lines).size > lines.length / 2, "not trivially repetitive");
    for (const level of [1, 6]) {
      const ratio = data.length / zlib.deflateRawSync(data, { level }).length;
      assert.ok(ratio > 3 && ratio < 6, `level ${level}: ratio ${ratio}`);
    }
  });
});
