/**
 * `npm run sim [-- scenario.json] [--port N] [--storage-port N]`: serves a scenario (the
 * sample by default) on wall-clock time until interrupted, and prints the CI variables a job
 * of its pipeline would see, ready to paste into a shell.
 */
import { parseArgs } from "node:util";
import { describe } from "./describe.ts";
import { startSimulator } from "./index.ts";
import { ScenarioError } from "./scenario.ts";

const SAMPLE = new URL("./scenarios/sample.json", import.meta.url).pathname;

const USAGE = "Usage: npm run sim -- [scenario.json] [--port N] [--storage-port N]\n";

function args() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        port: { type: "string" },
        "storage-port": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    process.stderr.write(`sim: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { values, positionals } = args();

if (values.help) {
  process.stdout.write(`${USAGE}Serves a GitLab API simulator on 127.0.0.1 until Ctrl+C.\n`);
  process.exit(0);
}

const port = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    process.stderr.write(
      `sim: --${name} must be a port number from 1 to 65535, got ${JSON.stringify(value)}\n`,
    );
    process.exit(2);
  }
  return n;
};

const scenario = positionals[0] ?? SAMPLE;
const start = async () => {
  try {
    return await startSimulator({
      scenario,
      clock: "real",
      // Served to people and real clients: "now" is now, so expiry dates read naturally.
      startTime: new Date().toISOString(),
      port: port("port", values.port),
      storagePort: port("storage-port", values["storage-port"]),
    });
  } catch (e) {
    // A malformed scenario is the user's input to fix, not a crash.
    if (!(e instanceof ScenarioError)) throw e;
    process.stderr.write(`sim: ${e.message}\n`);
    process.exit(2);
  }
};
const sim = await start();

process.stdout.write(`${describe(sim, scenario)}\nPress Ctrl+C to stop.\n`);

const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
