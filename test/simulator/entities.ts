/**
 * JSON entities exactly as GitLab's API presents them (`API::Entities::Ci::Job`, `Bridge`,
 * `PipelineBasic`, `Pipeline`), read from the model at the simulated "now".
 */
import type { Archive } from "./archives.ts";
import {
  archiveOf,
  enteredAt,
  reportsOf,
  type ReportType,
  FINISHED_STATUSES,
  isExpired,
  type Job,
  type JobStatus,
  type Pipeline,
  pipelineStatus,
  statusAt,
  type User,
} from "./scenario.ts";

export interface View {
  now: number;
  /** GitLab's external URL, e.g. http://127.0.0.1:3000 */
  webUrl: string;
  archiveOf(job: Job): Archive | undefined;
  /** Pipeline entities already built for this answer: a page of 100 jobs shares one. */
  pipelines: Map<Pipeline, ReturnType<typeof buildPipelineBasic>>;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

const STARTED: ReadonlySet<JobStatus> = new Set(["running", "canceling", ...FINISHED_STATUSES]);
/** How long a job waits in the queue and runs, when the scenario only gives its status. */
const QUEUED_MS = 4_000;
const RAN_MS = 60_000;

interface Times {
  created: number;
  started: number | undefined;
  finished: number | undefined;
}

/** Timestamps consistent with the job's timeline: an initial status is reached at creation. */
export function jobTimes(job: Job, now: number): Times {
  const created = job.pipeline.createdAt;
  const since = (at: number | undefined) => (at === Number.NEGATIVE_INFINITY ? created : at);
  let started = since(enteredAt(job, now, STARTED));
  let finished = since(enteredAt(job, now, FINISHED_STATUSES));
  if (started === created) started += QUEUED_MS;
  if (finished !== undefined && finished <= (started ?? created))
    finished = (started ?? created) + RAN_MS;
  return { created, started, finished };
}

export function userEntity(user: User, view: View, full: boolean) {
  const basic = {
    id: user.id,
    username: user.username,
    public_email: null,
    name: user.username === "root" ? "Administrator" : user.username,
    state: "active",
    locked: false,
    avatar_url: `https://www.gravatar.com/avatar/${user.id}?s=80&d=identicon`,
    web_url: `${view.webUrl}/${user.username}`,
  };
  if (!full) return basic;
  return {
    ...basic,
    created_at: "2024-01-01T00:00:00.000Z",
    bio: "",
    location: "",
    linkedin: "",
    twitter: "",
    discord: "",
    website_url: "",
    organization: "",
    job_title: "",
    pronouns: null,
    bot: false,
    work_information: null,
    local_time: null,
  };
}

export function pipelineBasic(pipeline: Pipeline, view: View) {
  let basic = view.pipelines.get(pipeline);
  if (!basic) {
    basic = buildPipelineBasic(pipeline, view);
    view.pipelines.set(pipeline, basic);
  }
  return basic;
}

function buildPipelineBasic(pipeline: Pipeline, view: View) {
  const status = pipelineStatus(pipeline, view.now);
  return {
    id: pipeline.id,
    iid: pipeline.iid,
    project_id: pipeline.project.id,
    sha: pipeline.sha,
    ref: pipeline.ref,
    status,
    source: pipeline.source,
    created_at: iso(pipeline.createdAt),
    updated_at: iso(lastChange(pipeline, view.now)),
    web_url: `${view.webUrl}/${pipeline.project.path}/-/pipelines/${pipeline.id}`,
  };
}

function lastChange(pipeline: Pipeline, now: number): number {
  let last = pipeline.createdAt;
  for (const job of pipeline.jobs) {
    const t = jobTimes(job, now);
    last = Math.max(last, t.finished ?? t.started ?? t.created);
  }
  return last;
}

const DETAILED: Record<string, [text: string, label: string]> = {
  created: ["Created", "created"],
  waiting_for_resource: ["Waiting", "waiting for resource"],
  preparing: ["Preparing", "preparing"],
  pending: ["Pending", "pending"],
  running: ["Running", "running"],
  success: ["Passed", "passed"],
  failed: ["Failed", "failed"],
  canceling: ["Canceling", "canceling"],
  canceled: ["Canceled", "canceled"],
  skipped: ["Skipped", "skipped"],
  manual: ["Blocked", "waiting for manual action"],
  scheduled: ["Scheduled", "delayed"],
};

/** `GET /projects/:id/pipelines/:pipeline_id`: the pipeline with its metadata. */
export function pipelineEntity(pipeline: Pipeline, view: View) {
  const basic = pipelineBasic(pipeline, view);
  const [text, label] = DETAILED[basic.status] ?? ["Unknown", basic.status];
  const times = pipeline.jobs.map((j) => jobTimes(j, view.now));
  const started = min(times.map((t) => t.started));
  const finished =
    FINISHED_STATUSES.has(basic.status as JobStatus) || basic.status === "skipped"
      ? max(times.map((t) => t.finished))
      : undefined;
  return {
    ...basic,
    before_sha: "0000000000000000000000000000000000000000",
    tag: pipeline.tag,
    yaml_errors: null,
    user: userEntity(pipeline.user, view, false),
    started_at: iso(started),
    finished_at: iso(finished),
    committed_at: null,
    duration:
      started !== undefined && finished !== undefined
        ? Math.round((finished - started) / 1000)
        : null,
    queued_duration:
      started !== undefined ? Math.round((started - pipeline.createdAt) / 1000) : null,
    coverage: null,
    detailed_status: {
      icon: `status_${basic.status}`,
      text,
      label,
      group: basic.status,
      tooltip: label,
      has_details: true,
      details_path: `/${pipeline.project.path}/-/pipelines/${pipeline.id}`,
      illustration: null,
      favicon: `/assets/ci_favicons/favicon_status_${basic.status}.png`,
    },
    archived: false,
    name: null,
  };
}

const min = (xs: (number | undefined)[]) => {
  const defined = xs.filter((x) => x !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
};
const max = (xs: (number | undefined)[]) => {
  const defined = xs.filter((x) => x !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
};

function commitEntity(pipeline: Pipeline, view: View) {
  const when = iso(pipeline.createdAt - 60_000);
  return {
    id: pipeline.sha,
    short_id: pipeline.sha.slice(0, 8),
    created_at: when,
    parent_ids: [],
    title: `Commit for pipeline ${pipeline.id}`,
    message: `Commit for pipeline ${pipeline.id}\n`,
    author_name: "Administrator",
    author_email: "admin@example.com",
    authored_date: when,
    committer_name: "Administrator",
    committer_email: "admin@example.com",
    committed_date: when,
    trailers: {},
    extended_trailers: {},
    web_url: `${view.webUrl}/${pipeline.project.path}/-/commit/${pipeline.sha}`,
  };
}

/** Fields common to builds and bridges (`API::Entities::Ci::JobBasic`). */
function jobBasic(job: Job, view: View) {
  const status = statusAt(job, view.now);
  const t = jobTimes(job, view.now);
  const end = t.finished ?? view.now;
  return {
    id: job.id,
    status,
    stage: job.stage,
    name: job.name,
    ref: job.pipeline.ref,
    tag: job.pipeline.tag,
    coverage: job.coverage,
    allow_failure: job.allowFailure,
    created_at: iso(t.created),
    started_at: iso(t.started),
    finished_at: iso(t.finished),
    erased_at: null,
    duration: t.started !== undefined ? (end - t.started) / 1000 : null,
    queued_duration: ((t.started ?? view.now) - t.created) / 1000,
    user: userEntity(job.pipeline.user, view, true),
    commit: commitEntity(job.pipeline, view),
    pipeline: pipelineBasic(job.pipeline, view),
    ...(status === "failed" ? { failure_reason: job.failureReason } : {}),
    web_url: `${view.webUrl}/${job.pipeline.project.path}/-/jobs/${job.id}`,
    project: { ci_job_token_scope_enabled: false },
  };
}

/** A build (`API::Entities::Ci::Job`). */
export function jobEntity(job: Job, view: View) {
  const artifacts = archiveOf(job, view.now);
  const archive = artifacts && view.archiveOf(job);
  const finished = FINISHED_STATUSES.has(statusAt(job, view.now));
  const picked = finished || statusAt(job, view.now) === "running";
  const files = [
    ...(archive
      ? [
          {
            file_type: "archive",
            size: archive.size,
            filename: "artifacts.zip",
            file_format: "zip",
          },
          {
            file_type: "metadata",
            size: metadataSize(archive),
            filename: "metadata.gz",
            file_format: "gzip",
          },
        ]
      : []),
    ...reportsOf(job, view.now).map((type) => ({
      file_type: type,
      size: 512 + (job.id % 500),
      ...REPORT_FILES[type],
    })),
    ...(finished
      ? [
          {
            file_type: "trace",
            size: 2_048 + (job.id % 1_000),
            filename: "job.log",
            file_format: null,
          },
        ]
      : []),
  ];
  return {
    ...jobBasic(job, view),
    ...(archive && artifacts && !isExpired(artifacts, view.now)
      ? { artifacts_file: { filename: "artifacts.zip", size: archive.size } }
      : {}),
    artifacts: files,
    runner: picked ? runnerEntity() : null,
    runner_manager: picked ? runnerManagerEntity() : null,
    artifacts_expire_at: artifacts ? iso(artifacts.expireAt ?? undefined) : null,
    archived: false,
    tag_list: [...job.tags].sort(),
  };
}

/** A trigger job (`API::Entities::Ci::Bridge`). */
export function bridgeEntity(job: Job, view: View) {
  return {
    ...jobBasic(job, view),
    downstream_pipeline: job.downstream ? pipelineBasic(job.downstream, view) : null,
  };
}

/** How GitLab stores each report (`Ci::JobArtifact::DEFAULT_FILE_NAMES`, `TYPE_AND_FORMAT_PAIRS`). */
const REPORT_FILES: Record<ReportType, { filename: string; file_format: string }> = {
  junit: { filename: "junit.xml.gz", file_format: "gzip" },
  dotenv: { filename: ".env.gz", file_format: "gzip" },
  cobertura: { filename: "cobertura-coverage.xml.gz", file_format: "gzip" },
  codequality: { filename: "gl-code-quality-report.json", file_format: "raw" },
  sast: { filename: "gl-sast-report.json", file_format: "raw" },
  dependency_scanning: { filename: "gl-dependency-scanning-report.json", file_format: "raw" },
  terraform: { filename: "tfplan.json", file_format: "raw" },
  metrics: { filename: "metrics.txt.gz", file_format: "gzip" },
};

/** The gzip'ed metadata GitLab keeps beside an archive: about 40 bytes an entry. */
const metadataSize = (archive: Archive) => 64 + archive.entries.length * 40;

function runnerEntity() {
  return {
    id: 1,
    description: "simulated-runner",
    ip_address: null,
    active: true,
    paused: false,
    is_shared: true,
    runner_type: "instance_type",
    name: "gitlab-runner",
    online: true,
    status: "online",
  };
}

function runnerManagerEntity() {
  return {
    id: 1,
    system_id: "s_simulated0001",
    version: "18.6.0",
    revision: "8f5c2d1a",
    platform: "linux",
    architecture: "amd64",
    created_at: "2026-01-01T00:00:00.000Z",
    contacted_at: "2026-11-01T11:59:00.000Z",
    ip_address: "127.0.0.1",
    status: "online",
  };
}
