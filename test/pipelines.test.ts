/**
 * The project's own pipelines, as its users would find them: .gitlab-ci.yml validates against
 * GitLab's CI schema and its self-test (the component included from this very commit, fetching a
 * real sibling's artifacts, checked by a later job) runs through gitlab-ci-local against the
 * simulator; the GitHub workflows validate against SchemaStore's github-workflow schema.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { COMPONENT_YML } from "../scripts/generate.ts";
import {
  checkout,
  GCL_VERSION,
  gitlabCiLocal,
  linesOf,
  requireTools,
  wrapper,
} from "./support/gitlab-ci-local.ts";
import { projectEnv, tempDir } from "./support/run.ts";
import { project, simulate } from "./support/sim.ts";
import { assertValid, githubWorkflow, gitlabCi, yamlDocuments } from "./support/schemas.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const GITLAB_CI = join(ROOT, ".gitlab-ci.yml");
const WORKFLOWS = join(ROOT, ".github/workflows");

type Pipeline = Record<string, { rules?: unknown; release?: unknown; script?: string[] }>;

test(".gitlab-ci.yml validates against GitLab's CI schema", () => {
  const [pipeline] = yamlDocuments(GITLAB_CI);
  assertValid(gitlabCi, pipeline, ".gitlab-ci.yml");
});

test(".gitlab-ci.yml: tests always; image, catalog release and npm publish on a release tag", () => {
  const [pipeline] = yamlDocuments(GITLAB_CI) as [Pipeline & { include: { component: string }[] }];
  assert.deepEqual(
    pipeline.include.map((i) => i.component),
    ["$CI_SERVER_FQDN/$CI_PROJECT_PATH/pipeline-artifacts@$CI_COMMIT_SHA"],
    "the component from this very commit",
  );
  assert.ok(pipeline["catalog-release"]?.release, "a release: job publishes to the Catalog");
  for (const job of ["release-version", "release-image", "catalog-release", "npm-publish"])
    assert.ok(JSON.stringify(pipeline[job]).includes('"extends"'), `${job} runs on a tag only`);
  assert.ok(pipeline["npm-publish"]?.script?.some((l) => l.startsWith("npm publish")));
  assert.equal(pipeline.test?.rules, undefined, "tests run on every pipeline");
});

test("the GitHub workflows validate against SchemaStore's github-workflow schema", () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
  assert.deepEqual(files.sort(), ["ci.yml", "release.yml"]);
  for (const file of files) {
    const [workflow] = yamlDocuments(join(WORKFLOWS, file));
    assertValid(githubWorkflow, workflow, file);
  }
});

test(
  `gitlab-ci-local ${GCL_VERSION} runs .gitlab-ci.yml's self-test: the component from this commit against a sibling`,
  { timeout: 90_000 },
  async (t) => {
    if (!(await requireTools(t))) return;
    // The sibling as GitLab would serve it: what self-test-artifact's script writes.
    const sim = await simulate(
      t,
      project([
        {
          id: 5,
          ref: "main",
          jobs: [
            {
              id: 2001,
              name: "self-test-artifact",
              stage: "self-test",
              status: "success",
              artifacts: {
                files: [
                  {
                    type: "file",
                    name: "self-test/hello.txt",
                    content: { text: "artifact of self-test-artifact\n" },
                  },
                ],
              },
            },
          ],
        },
      ]),
    );
    const dir = await tempDir(t);
    const repo = await checkout(dir, sim, "group/app", {
      ".gitlab-ci.yml": GITLAB_CI,
      "templates/pipeline-artifacts.yml": COMPONENT_YML,
    });
    const jobs = ["self-test-artifact", "self-test-fetch", "self-test-check"];
    const run = await gitlabCiLocal(
      repo,
      dir,
      await wrapper(dir),
      { ...projectEnv(sim), CI_SERVER_URL: sim.url, GITLAB_CI: "true" },
      jobs,
    );
    assert.equal(run.code, 0, run.output);
    const passed = [...run.output.matchAll(/^ PASS +(\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(passed.sort(), [...jobs].sort(), run.output);
    // The check job read the fetched file, the dotenv report and the manifest (set -e: a failed
    // test or grep would have failed the job).
    assert.ok(linesOf(run.output, "self-test-check").some((l) => l.startsWith("$ grep -qx")));
    assert.ok(
      linesOf(run.output, "self-test-fetch").some((l) => /self-test-artifact \(job 2001\)/.test(l)),
      run.output,
    );
    assert.ok(sim.log.find({ route: "archive" }).length > 0, "the archive came from GitLab");
  },
);
