/**
 * No hang on a silent stall, a bounded run, a stop that cleans up, bad destinations refused
 * before any request, an unreachable GitLab named, the running job never picked, and hostile
 * archive layouts refused.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { crc32 } from "node:zlib";
import { DIST } from "../../scripts/build.ts";
import { stage, UnsafeArchive } from "../../src/archive/extract.ts";
import { fileSource } from "../../src/archive/source.ts";
import { Cancelled, InputError } from "../../src/errors.ts";
import { ciEnv, downloaded, fetchArtifacts, tempDir } from "../support/run.ts";
import { simulate } from "../support/sim.ts";

/** Every file and folder below `dir` whose name says it is the tool's temporary. */
async function temporaries(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).filter((p) =>
    p.includes(".pipeline-artifacts-"),
  );
}

describe("a stalled body never hangs the run", () => {
  test("a body that goes silent is dropped after stall-timeout and resumed with Range", async (t) => {
    const sim = await simulate(t);
    sim.inject({ route: "archive", kind: "stall", afterBytes: 200_000, times: 1 });
    const dest = await tempDir(t);
    const { result, log } = await fetchArtifacts(sim, {
      job: "build",
      path: dest,
      "stall-timeout": "300ms",
    });
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1001)?.sha256);
    const requests = sim.log.find({ route: "archive" });
    assert.deepEqual(
      requests.map((r) => r.outcome),
      ["stall", "complete"],
    );
    assert.match(requests[1]?.range ?? "", /^bytes=[1-9]\d*-$/);
    assert.ok(log.lines.some((l) => l.includes("resumed 1 time(s)")));
    assert.deepEqual(await temporaries(dest), []);
  });

  test("a stall on object storage is resumed too, through a fresh URL", async (t) => {
    const sim = await simulate(t);
    sim.inject({ origin: "storage", kind: "stall", afterBytes: 50_000, times: 1 });
    const { result } = await fetchArtifacts(sim, {
      job: "package: [linux, amd64]",
      path: await tempDir(t),
      "stall-timeout": "300ms",
    });
    assert.equal(downloaded(result)[0]?.sha256, sim.archiveOf(1004)?.sha256);
  });
});

describe("timeout bounds the whole run", () => {
  test("on expiry the run fails naming what it was doing, and leaves no temporary file", async (t) => {
    const sim = await simulate(t);
    // About 1 MiB at 64 KiB/s: some 16 s, far past the timeout.
    sim.inject({ route: "archive", kind: "throughput", bytesPerSecond: 64 * 1024 });
    const dest = join(await tempDir(t), "out");
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", path: dest, timeout: "400ms" }),
      (e: unknown) => {
        assert.ok(e instanceof Cancelled, String(e));
        assert.match(
          e.message,
          /took longer than timeout \(0\.4 s\), while downloading the artifacts of build \(job 1001\)/,
        );
        assert.match(e.message, /raise `timeout`/);
        return true;
      },
    );
    assert.deepEqual(await temporaries(dest), []);
    assert.equal(existsSync(dest), false, "the folder the run created is removed");
  });
});

test("SIGTERM (a cancelled CI job) stops the CLI and removes its temporary files", async (t) => {
  const sim = await simulate(t);
  sim.inject({ route: "archive", kind: "throughput", bytesPerSecond: 64 * 1024 });
  const dir = await tempDir(t);
  const child = spawn(process.execPath, [DIST, "--job", "build", "--path", "out"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", ...ciEnv(sim) },
  });
  let stderr = "";
  // The download has begun once the job is named; then the job is cancelled.
  await new Promise<void>((resolve) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/build: job 1001 of pipeline 500/.test(stderr)) resolve();
    });
  });
  child.kill("SIGTERM");
  const [code] = (await once(child, "exit")) as [number | null];
  assert.equal(code, 143, stderr);
  assert.match(stderr, /stopped by SIGTERM/);
  assert.deepEqual(await temporaries(dir), []);
});

describe("a destination that cannot be written is refused before any request", () => {
  test("path is a file", async (t) => {
    const sim = await simulate(t);
    const file = join(await tempDir(t), "a-file");
    await writeFile(file, "x");
    await assert.rejects(fetchArtifacts(sim, { job: "build", path: file }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^input "path": .*a-file is a file; give a folder$/);
      return true;
    });
    assert.equal(sim.log.entries.length, 0);
  });

  test("path lies under a file", async (t) => {
    const sim = await simulate(t);
    const file = join(await tempDir(t), "a-file");
    await writeFile(file, "x");
    await assert.rejects(
      fetchArtifacts(sim, { job: "build", path: join(file, "sub", "dir") }),
      /input "path": .*sub\/dir lies under .*a-file, which is a file/,
    );
    assert.equal(sim.log.entries.length, 0);
  });
});

test("a GitLab that refuses connections is named, with what to check, within a short budget", async (t) => {
  const sim = await simulate(t);
  const env = { ...ciEnv(sim), CI_API_V4_URL: "http://127.0.0.1:1/api/v4" };
  await assert.rejects(
    fetchArtifacts(sim, { job: "build", path: await tempDir(t) }, env),
    (e: unknown) => {
      assert.match(
        String((e as Error).message),
        /cannot reach GitLab at http:\/\/127\.0\.0\.1:1\/api\/v4: ECONNREFUSED/,
      );
      assert.match(String((e as Error).message), /check `gitlab-url`, or CI_API_V4_URL/);
      return true;
    },
  );
});

describe("never the running job", () => {
  test("a pattern that also matches the running job leaves it out, and says so", async (t) => {
    const sim = await simulate(t);
    // collect (1020) runs the tool; without CI_JOB_ID, 'c*' would select it and fail on "still running".
    const { result, log } = await fetchArtifacts(
      sim,
      { mode: "list", job: "c*", "if-no-artifact-found": "ignore" },
      ciEnv(sim, { CI_JOB_ID: "1020" }),
    );
    assert.ok(!result.jobs.some((j) => j.id === 1020));
    assert.ok(
      result.jobs.some((j) => j.name === "child-build"),
      "the rest is listed",
    );
    assert.ok(
      log.lines.some((l) => /collect \(job 1020\) is the job running this and is left out/.test(l)),
    );
  });

  test("a pattern that matches only the running job says exactly that", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(
        sim,
        { job: "coll*", path: await tempDir(t) },
        ciEnv(sim, { CI_JOB_ID: "1020" }),
      ),
      /"coll\*" matches only collect \(job 1020\), the job running this/,
    );
  });

  test("a name that matches nothing suggests the closest job names", async (t) => {
    const sim = await simulate(t);
    await assert.rejects(
      fetchArtifacts(sim, { job: "buidl", path: await tempDir(t) }),
      /no job matches "buidl".*\n {2}hint: did you mean "build"\?/,
    );
  });
});

/** A stored zip entry: local header, name, data; and its central record. */
function stored(name: string, data: Buffer, offset: number) {
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  central.writeUInt32LE(offset, 42);
  return { local: Buffer.concat([local, n, data]), central: Buffer.concat([central, n]) };
}

/** A zip whose central records point at these local parts, laid out as given. */
function zip(body: Buffer, centrals: Buffer[]): Buffer {
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length, 8);
  end.writeUInt16LE(centrals.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(body.length, 16);
  return Buffer.concat([body, cd, end]);
}

describe("hostile layouts", () => {
  const limits = { maxBytes: 2 ** 30, maxEntries: 1000, maxRatio: 1000 };
  async function staged(t: Parameters<typeof tempDir>[0], bytes: Buffer) {
    const dir = await tempDir(t);
    const file = join(dir, "a.zip");
    await writeFile(file, bytes);
    const dest = join(dir, "dest");
    await mkdir(dest);
    const source = await fileSource(file);
    t.after(() => source.close());
    return { dest, run: () => stage(source, dest, { limits, label: "evil (job 1)" }) };
  }

  test("overlapping entries (the overlap zip bomb) are refused, and nothing is written", async (t) => {
    // inner.txt's local header and data lie inside outer.bin's stored data: two entries, one span.
    const inner = stored("inner.txt", Buffer.from("hello\n"), 30 + "outer.bin".length);
    const outer = stored("outer.bin", inner.local, 0);
    const { dest, run } = await staged(t, zip(outer.local, [outer.central, inner.central]));
    await assert.rejects(run(), (e: unknown) => {
      assert.ok(e instanceof UnsafeArchive, String(e));
      assert.match(
        e.message,
        /entry "inner\.txt" shares its bytes with entry "outer\.bin": invalid zip file with overlapped components/,
      );
      return true;
    });
    assert.deepEqual(await readdir(dest), []);
  });

  test("a central record whose local header names another file is refused", async (t) => {
    const a = stored("a.txt", Buffer.from("a\n"), 0);
    const lie = stored("b.txt", Buffer.from("a\n"), 0);
    const { run } = await staged(t, zip(a.local, [lie.central]));
    await assert.rejects(
      run(),
      /entry "b\.txt" has a local header that names another file \("a\.txt"\)/,
    );
  });

  test("a file and a folder of one name are refused naming the entry, not a raw EEXIST", async (t) => {
    const a = stored("a", Buffer.from("file\n"), 0);
    const b = stored("a/b.txt", Buffer.from("b\n"), a.local.length);
    const { run } = await staged(t, zip(Buffer.concat([a.local, b.local]), [a.central, b.central]));
    await assert.rejects(run(), (e: unknown) => {
      assert.match(
        String(e),
        /entry "a\/b\.txt" lies under "a", which the archive also has as a file/,
      );
      assert.doesNotMatch(String(e), /EEXIST|staging/);
      return true;
    });
  });

  test("a bad name is reported as itself, not as the entry before it", async (t) => {
    const ok = stored("ok.txt", Buffer.from("ok\n"), 0);
    const bad = stored("../x", Buffer.from("x\n"), ok.local.length);
    const { run } = await staged(
      t,
      zip(Buffer.concat([ok.local, bad.local]), [ok.central, bad.central]),
    );
    await assert.rejects(run(), (e: unknown) => {
      assert.match(String(e), /\.\.\/x/);
      assert.doesNotMatch(String(e), /ok\.txt/);
      return true;
    });
  });
});
