/**
 * Entry of the bundle (dist/index.js): the action when a GitHub-style runner starts it (no
 * arguments, GITHUB_ACTIONS=true), the CLI otherwise. A cancelled CI job's SIGTERM (or a ^C)
 * stops the run, which removes its temporary files and staging folders on its way out.
 */
import { setFlagsFromString } from "node:v8";
import { Cancelled } from "./errors.ts";
import { cli } from "./faces/cli.ts";
import { github } from "./faces/github.ts";
import { removeTemporariesSync } from "./util/cleanup.ts";

// Keep V8's young generation at its starting size. A transfer allocates steadily (socket chunks,
// reads, zlib output) while a few hundred objects stay alive across each collection (promises and
// buffers of the I/O in flight); V8 counts those survivors up over the run and grows the young
// generation to its maximum, 32 MiB more resident memory by the end of a 1 GiB archive, for
// collections that are as cheap either way (bench/RESULTS.md, 2026-12-02: peak RSS 105-110 MiB
// before, 94-97 MiB after, CPU time unchanged). V8 reads this factor each time it would grow the
// space, so setting it now, after start-up, takes effect; a V8 that ignores it only costs memory.
setFlagsFromString("--semi-space-growth-factor=1");

/** How long a stopped run may take to unwind before it is cut short. */
const GRACE_MS = 10_000;
const SIGNALS = { SIGTERM: 15, SIGINT: 2 } as const;

const stop = new AbortController();
let signalled: number | undefined;
for (const [name, number] of Object.entries(SIGNALS))
  process.once(name, () => {
    signalled = number;
    stop.abort(new Cancelled(`stopped by ${name}`));
    setTimeout(() => {
      removeTemporariesSync();
      process.exit(128 + number);
    }, GRACE_MS).unref();
  });

const argv = process.argv.slice(2);
let code: number;
if (argv.length === 0 && process.env.GITHUB_ACTIONS === "true") {
  await github(process.env, stop.signal);
  code = typeof process.exitCode === "number" ? process.exitCode : 0;
} else {
  code = await cli(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stderr.isTTY,
    signal: stop.signal,
  });
}
removeTemporariesSync();
// Exit now: a connection a server left half-open must not keep the process alive.
process.exit(signalled === undefined ? code : 128 + signalled);
