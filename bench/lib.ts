/** What the benchmarks share: timing a command with GNU time, medians, the tools they need. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

export const exec = promisify(execFile);
export const MiB = 1024 * 1024;

export interface Sample {
  seconds: number;
  peakKiB: number;
}

/** Wall time and peak RSS of one command, from GNU time. */
export async function timed(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Sample> {
  const { stderr } = await exec("/usr/bin/time", ["-f", "TIME %e %M", command, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    maxBuffer: 64 * MiB,
  });
  const m = /TIME ([\d.]+) (\d+)\s*$/.exec(stderr);
  if (!m) throw new Error(`no timing in: ${stderr.slice(-500)}`);
  return { seconds: Number(m[1]), peakKiB: Number(m[2]) };
}

export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function need(...tools: string[]): Promise<void> {
  for (const tool of tools)
    if (
      !(await exec("sh", ["-c", `command -v ${tool}`]).then(
        () => true,
        () => false,
      ))
    )
      throw new Error(`the benchmark needs ${tool} (Debian packages time, curl, unzip)`);
}
