/** One command per mode: the schema's modes, the command table and the CLI's subcommands agree. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { COMMANDS } from "../../src/commands/index.ts";
import { SUBCOMMANDS, usage } from "../../src/faces/cli.ts";
import { INPUTS } from "../../src/inputs/schema.ts";
import { MODES } from "../../src/options.ts";

test("the modes, the command table and the CLI's subcommands are the same set", () => {
  const modes = [...MODES].sort();
  assert.deepEqual(Object.keys(COMMANDS).sort(), modes);
  assert.deepEqual([...SUBCOMMANDS].sort(), modes);
  assert.deepEqual([...INPUTS.mode.options].sort(), modes);
  for (const mode of MODES) assert.equal(typeof COMMANDS[mode], "function", mode);
});

test("--help names the accepted values of every enumerated input", () => {
  const help = usage();
  for (const [name, def] of Object.entries(INPUTS))
    if ("options" in def)
      assert.ok(help.includes(def.options.join(", ")), `--${name}: ${def.options.join(", ")}`);
});
