/** The GitLab endpoints pipeline-artifacts uses, typed, with pagination done right. */
import type { IncomingHttpHeaders } from "node:http";
import { Limiter } from "../util/concurrency.ts";
import { type GitLabClient, readJson, readText } from "./client.ts";
import { type Attempt, gitlabMessage } from "./errors.ts";

/** GitLab's job statuses (Ci::HasStatus). */
export const JOB_STATUSES = [
  "created",
  "waiting_for_resource",
  "preparing",
  "waiting_for_callback",
  "pending",
  "running",
  "success",
  "failed",
  "canceling",
  "canceled",
  "skipped",
  "manual",
  "scheduled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface PipelineRef {
  id: number;
  project_id: number;
  ref: string;
  status: string;
  web_url: string;
}

/** A pipeline as lists give it (`PipelineBasic`). */
export interface ApiPipeline extends PipelineRef {
  sha: string;
  source: string;
}

/**
 * Sources of pipelines that do not set their ref's CI status (`Enums::Ci::Pipeline.dangling_sources`,
 * app/models/concerns/enums/ci/pipeline.rb). GitLab's ref lookup never starts from one
 * (`Project#ci_pipelines` is `ci_sources`), though the pipeline list shows them.
 */
export const DANGLING_SOURCES: ReadonlySet<string> = new Set([
  "webide",
  "parent_pipeline",
  "ondemand_dast_scan",
  "ondemand_dast_validation",
  "security_orchestration_policy",
  "container_registry_push",
  "duo_workflow",
  "pipeline_execution_policy_schedule",
]);

/**
 * Artifact types GitLab's ref lookup counts (`Ci::JobArtifact::DOWNLOADABLE_TYPES`,
 * `with_downloadable_artifacts`): the archive and most reports, not the log or the metadata.
 */
export const DOWNLOADABLE_TYPES: ReadonlySet<string> = new Set([
  "accessibility",
  "api_fuzzing",
  "archive",
  "cobertura",
  "jacoco",
  "codequality",
  "container_scanning",
  "dast",
  "dependency_scanning",
  "dotenv",
  "junit",
  "license_scanning",
  "lsif",
  "metrics",
  "performance",
  "browser_performance",
  "load_performance",
  "sast",
  "secret_detection",
  "requirements",
  "requirements_v2",
  "cluster_image_scanning",
  "cyclonedx",
]);

export interface ApiJob {
  id: number;
  name: string;
  stage: string;
  status: JobStatus;
  ref: string;
  web_url: string;
  pipeline: PipelineRef;
  finished_at: string | null;
  /** Present only while an unexpired archive exists. */
  artifacts_file?: { filename: string; size: number };
  artifacts?: { file_type: string; size: number; filename: string }[];
  artifacts_expire_at: string | null;
}

export interface ApiBridge {
  id: number;
  name: string;
  status: JobStatus;
  pipeline: PipelineRef;
  downstream_pipeline: PipelineRef | null;
}

const PER_PAGE = 100;
/** Reads page `n` of a list. */
type PageReader<T> = (n: number) => Promise<{ data: T[]; headers: IncomingHttpHeaders }>;
/** List pages in flight at most, over every list read at once (polite to GitLab, and enough). */
const PAGES_IN_FLIGHT = 16;

export class GitLabApi {
  readonly #project: string;
  readonly #web: string | undefined;
  readonly #pages = new Limiter(PAGES_IN_FLIGHT);
  constructor(
    readonly client: GitLabClient,
    readonly project: string,
  ) {
    this.#project = encodeURIComponent(project);
    // Web routes need the project's path; a numeric id gives none.
    this.#web = /^\d+$/.test(project) ? undefined : `${client.webRoot}/${project}/-/`;
  }

  /** The same API for another project (a multi-project upstream pipeline's). */
  forProject(project: string): GitLabApi {
    return new GitLabApi(this.client, project);
  }

  /** A web page of the project (`jobs/1001`), or "" when the project was given by id. */
  webUrl(rest: string): string {
    return this.#web === undefined ? "" : `${this.#web}${rest}`;
  }

  listPipelineJobs(pipelineId: number): Promise<ApiJob[]> {
    return this.#all(`/projects/${this.#project}/pipelines/${pipelineId}/jobs`, {
      what: `listing the jobs of pipeline ${pipelineId}`,
      route: "list-jobs",
    });
  }

  /** The newest pipeline of `ref` with status success; the list never holds child pipelines. */
  async newestSuccessfulPipeline(ref: string): Promise<ApiPipeline | undefined> {
    const query = { ref, status: "success", order_by: "id", sort: "desc", per_page: 1 };
    const { data } = await this.client.json<ApiPipeline[]>(
      this.client.url(`/projects/${this.#project}/pipelines`, query),
      { what: `finding the newest successful pipeline of ${ref}`, route: "list-pipelines" },
    );
    return data[0];
  }

  listBridges(pipelineId: number): Promise<ApiBridge[]> {
    return this.#all(`/projects/${this.#project}/pipelines/${pipelineId}/bridges`, {
      what: `listing the trigger jobs of pipeline ${pipelineId}`,
      route: "list-bridges",
    });
  }

  /** POST .../artifacts/keep: the job, its artifacts_expire_at now null. (GitLab says 200; its OpenAPI says 201.) */
  async keep(jobId: number): Promise<ApiJob> {
    const res = await this.client.request(
      "POST",
      this.client.url(`/projects/${this.#project}/jobs/${jobId}/artifacts/keep`),
      { what: `keeping the artifacts of job ${jobId}`, route: "keep" },
      {},
      (s) => s === 200 || s === 201,
    );
    return readJson<ApiJob>(res);
  }

  /** DELETE .../jobs/:id/artifacts: 204. */
  async deleteArtifacts(jobId: number): Promise<void> {
    const res = await this.client.request(
      "DELETE",
      this.client.url(`/projects/${this.#project}/jobs/${jobId}/artifacts`),
      { what: `deleting the artifacts of job ${jobId}`, route: "delete" },
    );
    res.body.resume();
  }

  /** DELETE /projects/:id/artifacts: 202, GitLab deletes in the background. Returns its message. */
  async deleteProjectArtifacts(): Promise<string> {
    const res = await this.client.request(
      "DELETE",
      this.client.url(`/projects/${this.#project}/artifacts`),
      { what: "deleting the artifacts of the project", route: "delete-project" },
    );
    const body = await readText(res.body);
    return gitlabMessage(body);
  }

  /** One file of a job's archive (Workhorse's artifacts-entry). */
  fileUrl(jobId: number, path: string): string {
    return this.client.url(
      `/projects/${this.#project}/jobs/${jobId}/artifacts/${encodePath(path)}`,
    );
  }

  /** The archive, or one file of it, of a job in the newest successful pipeline of `ref`. */
  refUrl(ref: string, job: string, path?: string): string {
    const base = `/projects/${this.#project}/jobs/artifacts/${encodeURIComponent(ref)}`;
    return this.client.url(
      path === undefined ? `${base}/download` : `${base}/raw/${encodePath(path)}`,
      { job },
    );
  }

  /**
   * Where the archive is served from, read from GitLab's own answer to a HEAD: served (200, also
   * when GitLab proxies a store) or redirected to another origin (a store). The redirect is not
   * followed: a store signs its URLs for GET, and GCS, Azure or a CDN may refuse a HEAD on them.
   */
  async storageOf(jobId: number): Promise<"gitlab" | "object storage"> {
    const res = await this.client.peek("HEAD", this.archiveUrl(jobId), {
      what: `checking where the artifacts of job ${jobId} are stored`,
      route: "download",
    });
    res.body.resume();
    const location = res.headers.location;
    const elsewhere =
      typeof location === "string" && new URL(location, res.url).origin !== this.client.origin;
    return elsewhere ? "object storage" : "gitlab";
  }

  archiveUrl(jobId: number): string {
    return this.client.url(`/projects/${this.#project}/jobs/${jobId}/artifacts`);
  }

  /**
   * Every row of a paginated list. The first page says how many pages there are (X-Total-Pages)
   * and the rest are fetched at once, at most PAGES_IN_FLIGHT in flight; a list that changed
   * while it was read (X-Total differs) is read again in order. Past 10,000 rows GitLab does not
   * count: then pages are fetched ahead, PAGES_IN_FLIGHT at once, until one comes back short or
   * empty. Rows are de-duplicated by id.
   */
  async #all<T extends { id: number }>(path: string, attempt: Attempt): Promise<T[]> {
    const page = (n: number) =>
      this.#pages.run(() =>
        this.client.json<T[]>(this.client.url(path, { per_page: PER_PAGE, page: n }), {
          ...attempt,
          what: `${attempt.what} (page ${n})`,
        }),
      );
    const first = await page(1);
    const totalPages = header(first.headers, "x-total-pages");
    const total = header(first.headers, "x-total");
    if (totalPages !== undefined) {
      if (totalPages <= 1) return first.data;
      const rest = await Promise.all(Array.from({ length: totalPages - 1 }, (_, i) => page(i + 2)));
      if (rest.every((r) => header(r.headers, "x-total") === total))
        return unique([first, ...rest].flatMap((r) => r.data));
      return this.#inOrder(first, page);
    }
    return unique([...first.data, ...(await this.#uncounted(nextPage(first.headers), page))]);
  }

  /**
   * The pages of a list GitLab did not count, from `start` on: PAGES_IN_FLIGHT readers each take
   * the next page number as soon as their last page came back, until one page comes back short or
   * without a next page; what lies past that page is dropped. A sliding window, not batches: a
   * batch waits for its slowest page before the next one starts (12,000 jobs with 50 ms a request:
   * 1.24x the time of the same list with totals, in batches of 16).
   */
  async #uncounted<T>(start: number | undefined, page: PageReader<T>): Promise<T[]> {
    if (start === undefined) return [];
    const got = new Map<number, T[]>();
    let next = start;
    let last = Infinity;
    const reader = async () => {
      while (next <= last) {
        const n = next++;
        try {
          const r = await page(n);
          got.set(n, r.data);
          if (r.data.length < PER_PAGE || nextPage(r.headers) === undefined)
            last = Math.min(last, n);
        } catch (e) {
          // The other readers start no more pages.
          last = -Infinity;
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: PAGES_IN_FLIGHT }, reader));
    const rows: T[] = [];
    for (let n = start; n <= last; n++) rows.push(...(got.get(n) ?? []));
    return rows;
  }

  /** Reads a list page after page through X-Next-Page (the list changed while read at once). */
  async #inOrder<T extends { id: number }>(
    first: { data: T[]; headers: IncomingHttpHeaders },
    page: PageReader<T>,
  ): Promise<T[]> {
    const rows = [...first.data];
    for (let next = nextPage(first.headers); next !== undefined;) {
      const r = await page(next);
      rows.push(...r.data);
      next = nextPage(r.headers);
    }
    return unique(rows);
  }
}

/** Each segment percent-encoded, the slashes kept: GitLab matches the path as the rest of the URL. */
const encodePath = (path: string) => path.split("/").map(encodeURIComponent).join("/");

function header(headers: IncomingHttpHeaders, name: string): number | undefined {
  const v = headers[name];
  return typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
}

const nextPage = (headers: IncomingHttpHeaders) => header(headers, "x-next-page");

function unique<T extends { id: number }>(rows: T[]): T[] {
  const seen = new Set<number>();
  return rows.filter((r) => !seen.has(r.id) && seen.add(r.id));
}
