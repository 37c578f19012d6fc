/** The GitLab endpoints pipeline-artifacts uses, typed, with pagination done right. */
import type { IncomingHttpHeaders } from "node:http";
import type { JobStatus } from "../inputs.ts";
import { type GitLabClient, readJson, readText } from "./client.ts";
import { type Attempt, gitlabMessage } from "./errors.ts";

export interface PipelineRef {
  id: number;
  project_id: number;
  ref: string;
  status: string;
  web_url: string;
}

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
const PAGE_CONCURRENCY = 4;

export class GitLabApi {
  readonly #project: string;
  constructor(
    readonly client: GitLabClient,
    project: string,
  ) {
    this.#project = encodeURIComponent(project);
  }

  listPipelineJobs(pipelineId: number): Promise<ApiJob[]> {
    return this.#all(`/projects/${this.#project}/pipelines/${pipelineId}/jobs`, {
      what: `listing the jobs of pipeline ${pipelineId}`,
      route: "list-jobs",
    });
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

  /** Where the archive is served from: a HEAD that GitLab answers itself, or redirects to a store. */
  async storageOf(jobId: number): Promise<"gitlab" | "object storage"> {
    const res = await this.client.request("HEAD", this.archiveUrl(jobId), {
      what: `checking where the artifacts of job ${jobId} are stored`,
      route: "download",
    });
    res.body.resume();
    return new URL(res.url).origin === this.client.origin ? "gitlab" : "object storage";
  }

  archiveUrl(jobId: number): string {
    return this.client.url(`/projects/${this.#project}/jobs/${jobId}/artifacts`);
  }

  /**
   * Every row of a paginated list. The first page says how many pages there are (X-Total-Pages)
   * and the rest are fetched concurrently; past 10,000 rows GitLab does not count, and the
   * pages are followed one by one through X-Next-Page. Rows are de-duplicated by id, and a
   * list that changed while it was read concurrently is read again in order.
   */
  async #all<T extends { id: number }>(path: string, attempt: Attempt): Promise<T[]> {
    const page = (n: number) =>
      this.client.json<T[]>(this.client.url(path, { per_page: PER_PAGE, page: n }), {
        ...attempt,
        what: `${attempt.what} (page ${n})`,
      });
    const first = await page(1);
    const totalPages = header(first.headers, "x-total-pages");
    const total = header(first.headers, "x-total");
    if (totalPages !== undefined && totalPages > 1) {
      const rest = await mapLimit(
        Array.from({ length: totalPages - 1 }, (_, i) => i + 2),
        PAGE_CONCURRENCY,
        page,
      );
      if (rest.every((r) => header(r.headers, "x-total") === total))
        return unique([first, ...rest].flatMap((r) => r.data));
    } else if (totalPages !== undefined) {
      return first.data;
    }
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

/**
 * Maps with at most `limit` calls in flight (each started only when a slot frees up); results
 * keep the input's order. After a failure no new call starts; once the calls in flight have
 * ended, the first error rejects.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  // Wait for the calls in flight to end even after a failure, so the caller can clean up after all.
  const settled = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  const failure = settled.find((s) => s.status === "rejected");
  if (failure) throw failure.reason;
  return results;
}
