/** The reference copies kept with the tests are the ones the project was given (shared/reference). */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const LOCAL = fileURLToPath(new URL("./reference/", import.meta.url));
const SHARED = fileURLToPath(new URL("../../shared/reference/", import.meta.url));

test(
  "test/reference holds exactly the files of shared/reference, byte for byte",
  { skip: existsSync(SHARED) ? false : "no shared/reference beside this clone" },
  () => {
    const data = (dir: string) =>
      readdirSync(dir)
        .filter((f) => f !== "README.md")
        .sort();
    assert.deepEqual(data(LOCAL), data(SHARED));
    for (const f of data(SHARED))
      assert.ok(readFileSync(`${LOCAL}${f}`).equals(readFileSync(`${SHARED}${f}`)), f);
  },
);
