/**
 * Entry point of the bundle (dist/index.js): the CLI, and the action when a GitHub-style
 * runner starts it. Downloading by job name is not implemented yet; until it is, every run
 * says so and exits non-zero rather than pretending to succeed.
 */
/** Replaced by the package version when bundled (scripts/build.ts). */
declare const PIPELINE_ARTIFACTS_VERSION: string;
const VERSION = typeof PIPELINE_ARTIFACTS_VERSION === "string" ? PIPELINE_ARTIFACTS_VERSION : "dev";

const USAGE = `pipeline-artifacts: download, keep or delete the artifacts of sibling jobs in a running GitLab pipeline

Usage: pipeline-artifacts [--help | --version]

Status: this build ships the project skeleton and its GitLab simulator
(npm run sim); the download command is not implemented yet.
`;

export function main(argv: string[]): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv.includes("--version")) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  process.stderr.write(`pipeline-artifacts: no command is implemented yet\n\n${USAGE}`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
