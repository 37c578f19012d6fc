/**
 * The helpers under util/ and archive/source.ts: limits that hold, order that is kept; files
 * written in the threadpool, and read back.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Limiter, mapLimit } from "../src/util/concurrency.ts";
import { fileSource } from "../src/archive/source.ts";
import { PooledFile } from "../src/util/files.ts";

/** A task that ends when told to, recording how many ran at once. */
function gate() {
  let active = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const task = async () => {
    active++;
    most = Math.max(most, active);
    await new Promise<void>((resolve) => release.push(resolve));
    active--;
  };
  return { task, release, most: () => most, waiting: () => release.length };
}

test("a Limiter shared by several callers never lets more than its limit run", async () => {
  const limiter = new Limiter(3);
  const g = gate();
  const all = Promise.all(Array.from({ length: 10 }, () => limiter.run(g.task)));
  // Release the tasks one at a time as they start, until all ten have run.
  for (let done = 0; done < 10; done++) {
    while (g.waiting() === 0) await new Promise<void>((r) => setImmediate(r));
    assert.ok(g.waiting() <= 3, `${g.waiting()} in flight`);
    g.release.shift()?.();
  }
  await all;
  assert.equal(g.most(), 3);
});

test("mapLimit keeps the input's order and stops starting calls after a failure", async () => {
  const started: number[] = [];
  await assert.rejects(
    mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      if (n === 2) throw new Error("two");
      return n;
    }),
    /two/,
  );
  assert.ok(!started.includes(6), String(started));
  assert.deepEqual(await mapLimit([3, 1, 2], 2, async (n) => n * 10), [30, 10, 20]);
});

/**
 * Writes `data` to a new PooledFile in pieces of `piece` bytes, alternately copied in (write) and
 * filled in place (space, filled) as inflating does, then ends it.
 */
async function feed(path: string, mode: number, data: Buffer, piece: number): Promise<void> {
  const file = await PooledFile.create(path, mode);
  for (let at = 0, i = 0; at < data.length; at += piece, i++) {
    const bytes = data.subarray(at, at + piece);
    if (i % 2 === 0) await file.write(bytes);
    else
      for (let done = 0; done < bytes.length;) {
        const room = await file.space();
        const n = bytes.copy(room, 0, done);
        file.filled(n);
        done += n;
      }
  }
  await file.end();
}

test("PooledFile writes files at once through the shared buffers, every byte in its place", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pooled-"));
  try {
    // Seven files of 3 MiB, written together in odd-sized pieces: the pool's buffers are reused
    // across them many times over, and a write can end anywhere in a buffer.
    const files = Array.from({ length: 7 }, (_, i) => ({
      path: join(dir, `f${i}`),
      data: randomBytes(3 * 1024 * 1024 + i * 1001),
      piece: 100_003 + i * 7919,
    }));
    await Promise.all(files.map((f) => feed(f.path, 0o640, f.data, f.piece)));
    for (const f of files) {
      assert.ok((await readFile(f.path)).equals(f.data), `${f.path} differs`);
      assert.equal((await stat(f.path)).mode & 0o777, 0o640);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("PooledFile refuses a file that exists, and a file given up gives its buffers back", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pooled-"));
  try {
    const taken = join(dir, "taken");
    await writeFile(taken, "mine");
    await assert.rejects(feed(taken, 0o644, randomBytes(1000), 100), { code: "EEXIST" });
    assert.equal(await readFile(taken, "utf8"), "mine");
    // A file destroyed halfway through holds no buffer afterwards: were its partly filled buffer
    // kept, the pool would run dry after a few such files, and a write would wait for ever.
    for (let i = 0; i < 20; i++) {
      const file = await PooledFile.create(join(dir, `given-up${i}`), 0o644);
      await file.write(randomBytes(300 * 1024));
      await file.destroy();
    }
    const data = randomBytes(5 * 1024 * 1024);
    await feed(join(dir, "after"), 0o644, data, 64 * 1024);
    assert.ok((await readFile(join(dir, "after"))).equals(data));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("fileSource serves reads of every size and place exactly, the small ones from a block read ahead", async () => {
  const dir = await mkdtemp(join(tmpdir(), "source-"));
  try {
    const data = randomBytes(3 * 1024 * 1024 + 12_345);
    const path = join(dir, "archive.zip");
    await writeFile(path, data);
    const source = await fileSource(path);
    try {
      const MiB = 1024 * 1024;
      // In order and out of it; across a block's end; ending at the file's end; large and small.
      const reads: [number, number][] = [
        [0, 30],
        [30, 64 * 1024],
        [MiB - 10, 20],
        [MiB + 5, 1],
        [200, 300],
        [data.length - 17, 17],
        [2 * MiB - 1, 64 * 1024],
        [5, 2 * MiB],
      ];
      let seed = 1;
      for (let i = 0; i < 500; i++) {
        seed = (seed * 48271) % 2147483647;
        const length = 1 + (seed % 70_000);
        reads.push([seed % (data.length - length), length]);
      }
      for (const [position, length] of reads) {
        const got = await source.read(position, length);
        assert.ok(
          got.equals(data.subarray(position, position + length)),
          `bytes ${position}+${length}`,
        );
      }
      // A read held by the caller is its own: the next reads do not change it.
      const kept = await source.read(100, 50);
      await source.read(2 * MiB, 100);
      assert.ok(kept.equals(data.subarray(100, 150)));
      await assert.rejects(source.read(data.length - 10, 20), /unexpected end of archive/);
    } finally {
      await source.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
