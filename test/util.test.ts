/** The concurrency helpers: limits that hold, order that is kept. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Limiter, mapLimit } from "../src/util/concurrency.ts";

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
