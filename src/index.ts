/**
 * Entry of the bundle (dist/index.js): the action when a GitHub-style runner starts it (no
 * arguments, GITHUB_ACTIONS=true), the CLI otherwise.
 */
import { cli } from "./faces/cli.ts";
import { github } from "./faces/github.ts";

const argv = process.argv.slice(2);
if (argv.length === 0 && process.env.GITHUB_ACTIONS === "true") {
  await github(process.env);
} else {
  process.exitCode = await cli(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stderr.isTTY,
  });
}
