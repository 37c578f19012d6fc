/**
 * A GitLab runner no one here wrote, gitlab-ci-local, runs a pipeline that includes the
 * component from the checkout (`component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/...@$CI_COMMIT_SHA`,
 * which gitlab-ci-local resolves from the working tree when the project path is the origin's and
 * the ref is HEAD) against the simulator: the component's job downloads `build`, a later job
 * reads the dotenv report and the files through artifacts, another downloads the archive with
 * curl from the URL in the dotenv report, a child pipeline's job finds `build` in its parent
 * (upstream), and a cleanup job, the component again with `mode: delete` and a maintainer token,
 * deletes them.
 *
 * gitlab-ci-local runs child pipelines (`trigger: include:`; "experimental", it warns) in the same
 * process, their jobs' lines prefixed with `\t[<trigger job>] -> `. Two ways it differs from
 * GitLab matter here: `--variable` values do not reach a child pipeline (the simulated CI_*
 * variables go in the home variables file, which every pipeline reads), and the trigger job's
 * variables reach it unexpanded, to be expanded there: `PARENT_PIPELINE_ID: $CI_PIPELINE_ID`
 * gives the child's own id. Here both pipelines have the same CI_PIPELINE_ID (500, from the
 * variables file), so it gives the parent's, as on GitLab; the child's job names its own
 * simulated pipeline (501) with pipeline-id.
 *
 * Shell executor (`--force-shell-executor`: the component's job names an image, and there is no
 * Docker) with `--shell-isolation`, so that each job has its own build folder and a later job sees
 * only what reached it as artifacts. gitlab-ci-local passes artifacts with rsync.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { COMPONENT_YML } from "../../scripts/generate.ts";
import type { Simulator } from "../simulator/index.ts";
import type { LoggedRequest } from "../simulator/log.ts";
import {
  checkout,
  GCL_VERSION,
  gitlabCiLocal,
  linesOf,
  requireTools,
  wrapper,
} from "../support/gitlab-ci-local.ts";
import { ciEnv, tempDir } from "../support/run.ts";
import { JOB_TOKEN, MAINTAINER, simulate } from "../support/sim.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/gitlab-ci-local/${name}`, import.meta.url));
/** The sample scenario's project 42: the origin of the throwaway repository. */
const PROJECT_PATH = "demo/app";
const BUILD = 1001;
/** The job of child.yml, the child pipeline. */
const CHILD_JOB = "fetch-from-parent";

/**
 * The request matching `match`, once the simulator has logged it: it logs a request when its
 * answer is sent, which may be just after the client has read it (event-driven, bounded).
 */
async function logged(sim: Simulator, match: (e: LoggedRequest) => boolean, what: string) {
  const signal = AbortSignal.timeout(10_000);
  for (;;) {
    const found = sim.log.entries.find(match);
    if (found) return found;
    await once(sim.events, "request", { signal }).catch(() =>
      assert.fail(`no ${what} request reached the simulator`),
    );
  }
}

test(
  `gitlab-ci-local ${GCL_VERSION} runs the component from the checkout: download, later jobs, a child pipeline, delete`,
  { timeout: 90_000 },
  async (t) => {
    if (!(await requireTools(t))) return;
    const sim = await simulate(t);
    const dir = await tempDir(t);
    const repo = await checkout(dir, sim, PROJECT_PATH, {
      ".gitlab-ci.yml": fixture(".gitlab-ci.yml"),
      "child.yml": fixture("child.yml"),
      "templates/pipeline-artifacts.yml": COMPONENT_YML,
    });
    const bin = await wrapper(dir);
    const run = await gitlabCiLocal(repo, dir, bin, {
      ...ciEnv(sim),
      GITLAB_CI: "true",
      CLEANUP_TOKEN: MAINTAINER,
    });
    assert.equal(run.code, 0, run.output);
    const deleted = await logged(sim, (e) => e.route === "delete-artifacts", "delete");
    const archive = sim.archiveOf(BUILD);
    assert.ok(archive);

    await t.test("every job passes, in stage order (the child pipeline's when it ends)", () => {
      const results = [...run.output.matchAll(/^ (PASS|FAIL) +(.+?) *$/gm)].map((m) => [
        m[1],
        m[2],
      ]);
      assert.deepEqual(results, [
        ["PASS", `[child] -> ${CHILD_JOB}`],
        ["PASS", "fetch-build"],
        ["PASS", "use-artifacts"],
        ["PASS", "fetch-by-url"],
        ["PASS", "child"],
        ["PASS", "cleanup"],
      ]);
    });

    await t.test("the component's job runs the component's own script line", () => {
      const [, body] = parseAllDocuments(readFileSync(COMPONENT_YML, "utf8")).map((d) =>
        d.toJS(),
      ) as [unknown, Record<string, { script: string[] }>];
      const [line] = body["$[[ inputs.job_name ]]"]?.script ?? [];
      assert.ok(line?.startsWith("pipeline-artifacts "));
      for (const job of ["fetch-build", "cleanup"]) {
        const lines = linesOf(run.output, job);
        assert.ok(lines.includes(`$ ${line}`), `${job} ran: ${line}`);
        // GITLAB_CI=true: collapsible sections, which gitlab-ci-local parses with GitLab's rules.
        assert.ok(lines.includes("pipeline_artifacts_1_started"), lines.join("\n"));
        assert.ok(
          lines.some((l) => /^pipeline_artifacts_1 took \d+ms$/.test(l)),
          lines.join("\n"),
        );
      }
      assert.ok(
        linesOf(run.output, "fetch-build").includes(
          `> build (job ${BUILD}): 1.0 MiB downloaded, sha256 ${archive.sha256}`,
        ),
        run.output,
      );
    });

    await t.test("a later job gets the dotenv variables and the files through artifacts", () => {
      const use = linesOf(run.output, "use-artifacts");
      assert.ok(
        use.includes(
          `> job ${BUILD} of pipeline 500, 5 files, found true, sha256 ${archive.sha256}`,
        ),
        use.join("\n"),
      );
      assert.ok(use.includes("> console.log('hello from build');"), use.join("\n"));
      // bin/latest is a symlink to bin/tool (mode 755): both survived the artifact hand-over.
      assert.ok(use.includes("> tool"), use.join("\n"));
    });

    await t.test("a later job downloads the archive with curl from the dotenv report's URL", () => {
      assert.ok(linesOf(run.output, "fetch-by-url").includes("> build.zip: OK"), run.output);
      const curl = sim.log.entries.filter((e) => e.headers["user-agent"]?.startsWith("curl/"));
      assert.deepEqual(
        curl.map((e) => [e.route, e.path, e.status, e.headers["job-token"]]),
        [["archive", `/api/v4/projects/42/jobs/${BUILD}/artifacts`, 200, "[REDACTED]"]],
      );
    });

    await t.test("a child pipeline's job finds build in its parent pipeline (upstream)", () => {
      const lines = linesOf(run.output, `\t[child] -> ${CHILD_JOB}`);
      assert.ok(
        lines.includes("> also searching upstream pipeline 500 and its child pipelines"),
        lines.join("\n"),
      );
      assert.ok(
        lines.includes("> 9 jobs in pipeline 501 and upstream pipeline(s) 500"),
        lines.join("\n"),
      );
      assert.ok(
        lines.includes(`> build: job ${BUILD} of pipeline 500 (success)`),
        lines.join("\n"),
      );
      assert.ok(lines.includes("> console.log('hello from build');"), lines.join("\n"));
    });

    await t.test("the cleanup job deletes with the maintainer token, once", () => {
      assert.ok(
        linesOf(run.output, "cleanup").includes(`> build (job ${BUILD}): artifacts deleted`),
        run.output,
      );
      const deletes = sim.log.find({ route: "delete-artifacts" });
      assert.deepEqual(deletes, [deleted]);
      assert.equal(deleted.method, "DELETE");
      assert.equal(deleted.path, `/api/v4/projects/42/jobs/${BUILD}/artifacts`);
      assert.equal(deleted.status, 204);
      assert.equal(sim.world.jobs.get(BUILD)?.artifacts?.deleted, true);
    });

    await t.test("the job token up to the cleanup job, the maintainer token only in it", () => {
      const credential = (e: LoggedRequest) =>
        ["job-token", "private-token", "authorization"].filter((h) => h in e.headers);
      const gitlab = sim.log.entries.filter((e) => e.origin === "gitlab");
      const first = gitlab.findIndex((e) => credential(e).includes("private-token"));
      assert.ok(first > 0, "the download came first");
      const download = gitlab.slice(0, first);
      const cleanup = gitlab.slice(first);
      assert.ok(download.some((e) => e.route === "archive" && e.status === 200));
      assert.ok(download.every((e) => credential(e).join() === "job-token"));
      assert.ok(cleanup.every((e) => credential(e).join() === "private-token"));
      assert.ok(cleanup.every((e) => e.route !== "archive"));
      assert.deepEqual(sim.log.leaks, []);
      for (const token of [JOB_TOKEN, MAINTAINER]) assert.ok(!run.output.includes(token));
    });
  },
);
