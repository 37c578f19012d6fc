#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(import.meta.url);

// src/index.ts
var VERSION = true ? "0.1.0" : "dev";
var USAGE = `pipeline-artifacts: download, keep or delete the artifacts of sibling jobs in a running GitLab pipeline

Usage: pipeline-artifacts [--help | --version]

Status: this build ships the project skeleton and its GitLab simulator
(npm run sim); the download command is not implemented yet.
`;
function main(argv) {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv.includes("--version")) {
    process.stdout.write(`${VERSION}
`);
    return 0;
  }
  process.stderr.write(`pipeline-artifacts: no command is implemented yet

${USAGE}`);
  return 1;
}
process.exitCode = main(process.argv.slice(2));
export {
  main
};
