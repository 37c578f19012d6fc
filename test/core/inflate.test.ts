/**
 * archive/inflate.ts on its own: zlib's handle fed with blocking calls gives exactly what zlib's
 * own inflate gives, in any pieces and into any output size, and fails as zlib does. (The extract
 * and overlap suites run every archive through it, and through zlib's streams.)
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { deflateRawSync } from "node:zlib";
import { giveBack, handles, Inflater, inflation, takeInflater } from "../../src/archive/inflate.ts";

/** Inflates `raw` fed in pieces of `piece` bytes into outputs of `room` bytes. */
function inflate(z: Inflater, raw: Buffer, piece: number, room: number): Buffer {
  const out: Buffer[] = [];
  const output = Buffer.alloc(room);
  const feed = (input: Buffer, finish: boolean) => {
    let at = 0;
    do {
      const n = z.step(input, at, output, finish);
      at += z.consumed;
      out.push(Buffer.from(output.subarray(0, n)));
    } while (z.more);
    assert.equal(at, input.length, "every byte of the input is used");
  };
  for (let at = 0; at < raw.length; at += piece) feed(raw.subarray(at, at + piece), false);
  feed(Buffer.alloc(0), true);
  return Buffer.concat(out);
}

const text = Buffer.from(
  Array.from({ length: 20_000 }, (_, i) => `line ${i}: ${"abcdefgh".repeat(i % 9)}\n`).join(""),
);
const data = Buffer.concat([text, randomBytes(300_000), text]);
const raw = deflateRawSync(data);

test("zlib's handle is as expected here, and tests can turn it off", () => {
  assert.equal(handles(), true);
  inflation.handles = false;
  try {
    assert.equal(handles(), false);
  } finally {
    inflation.handles = true;
  }
});

test("any pieces, into any output size, give back exactly what was deflated", () => {
  const z = takeInflater();
  try {
    for (const [piece, room] of [
      [1, 7],
      [997, 64 * 1024],
      [64 * 1024, 1000],
      [raw.length, 256 * 1024],
    ] as const) {
      z.reset();
      assert.ok(inflate(z, raw, piece, room).equals(data), `pieces of ${piece}, room ${room}`);
    }
  } finally {
    giveBack(z);
  }
});

test("a stream cut short, and corrupt data, fail as zlib says; a reset inflater works again", () => {
  const z = new Inflater();
  assert.throws(() => inflate(z, raw.subarray(0, raw.length - 100), 4096, 4096), {
    message: "unexpected end of file",
  });
  z.reset();
  const corrupt = Buffer.from(raw);
  corrupt.fill(0xff, 10, 40);
  assert.throws(() => inflate(z, corrupt, 4096, 4096), { code: "Z_DATA_ERROR" });
  z.reset();
  assert.ok(inflate(z, raw, 4096, 4096).equals(data));
});
