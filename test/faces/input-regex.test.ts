/**
 * The component's `regex:` for inputs of a fixed syntax (durations, sizes, statuses) never refuses
 * what the tool accepts: every text the input's parser reads is matched, and so are the defaults;
 * text the parser refuses is mostly refused too (the regex is a check, not a catch-all).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readInput } from "../../src/inputs/parse.ts";
import { INPUT_NAMES, INPUTS, type InputDef, type InputName } from "../../src/inputs/schema.ts";
import { COMPONENT_YML, inputRegex, snake } from "../../scripts/generate.ts";
import { yamlDocuments } from "../support/schemas.ts";

/** Where the parser accepts the text (an empty text: the default applies, also accepted). */
function accepts(name: InputName, text: string): boolean {
  try {
    readInput(name, { [name]: text }, {});
    return true;
  } catch {
    return false;
  }
}

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BLANKS = [" ", "\t", "\n", "\u00a0", "\u3000", "\ufeff"];

/** Tokens each kind's texts are made of, valid and not. */
const ALPHABETS: Partial<Record<InputDef["kind"], string[]>> = {
  duration: ["0", "1", "9", "30", "h", "m", "s", "ms", "d", ".", "-", ...BLANKS],
  bytes: ["0", "1", "10", ".", "5", "b", "B", "k", "M", "G", "t", "i", "I", "x", "-", ...BLANKS],
  list: ["success", "failed", "manual", "running", "bogus", ",", ",", "\n", "succ", ...BLANKS],
};

const FIXED = INPUT_NAMES.filter((name) => inputRegex(INPUTS[name]) !== undefined);

test("the inputs of a fixed syntax have a regex: durations, sizes, statuses", () => {
  assert.deepEqual(FIXED, [
    "status",
    "wait-timeout",
    "stall-timeout",
    "timeout",
    "max-size",
    "cache-max-size",
  ]);
});

test("the component spec carries each of them, and its defaults match", () => {
  const [header] = yamlDocuments(COMPONENT_YML) as [
    { spec: { inputs: Record<string, { regex?: string; default: unknown }> } },
  ];
  for (const [key, input] of Object.entries(header.spec.inputs)) {
    if (input.regex === undefined) continue;
    assert.match(String(input.default), new RegExp(input.regex, "u"), key);
  }
  for (const name of FIXED)
    assert.equal(header.spec.inputs[snake(name)]?.regex, inputRegex(INPUTS[name]), name);
});

for (const name of FIXED) {
  test(`${name}: every text the parser accepts matches the regex`, () => {
    const def: InputDef = INPUTS[name];
    const regex = new RegExp(inputRegex(def) ?? "", "u");
    const alphabet = ALPHABETS[def.kind];
    assert.ok(alphabet);
    const next = random(0x5eed + name.length);
    const examples = [
      "",
      "  ",
      def.default ?? "",
      ...{
        duration: ["90", "90s", "30m", "1h30m", "500ms", "1h 30m", " 2 m ", "30s1h", "1m s"],
        bytes: ["1048576", "500MB", "10GiB", "1.5kb", "7 b", " 3TiB "],
        list: ["success", "success, failed", "manual\nrunning", ",success,,", " failed ,\n manual"],
      }[def.kind as "duration" | "bytes" | "list"],
    ];
    for (let i = 0; i < 30_000; i++) {
      const length = 1 + Math.floor(next() * 7);
      examples.push(
        Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""),
      );
    }
    let accepted = 0;
    let refusedByBoth = 0;
    for (const text of examples) {
      if (accepts(name, text)) {
        accepted++;
        assert.match(text, regex, `${JSON.stringify(text)} is accepted by the tool`);
      } else if (!regex.test(text)) refusedByBoth++;
    }
    assert.ok(accepted > 100, `${accepted} accepted texts tried`);
    assert.ok(refusedByBoth > 1000, `the regex refuses texts too (${refusedByBoth})`);
  });
}
