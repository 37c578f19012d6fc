/** list, keep and delete: one GitLab call per resolved job, in order. */
import type { GitLabApi } from "../gitlab/api.ts";
import type { Options } from "../inputs.ts";
import type { Log } from "../log.ts";
import type { JobResult } from "../report.ts";
import type { Target } from "./target.ts";

/** list, keep and delete (and any mode with dry-run): one call per job, in order, never a job not resolved. */
export async function actOn(
  api: GitLabApi,
  targets: Target[],
  options: Options,
  log: Log,
): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const t of targets) {
    const base = {
      id: t.id,
      name: t.name,
      pipelineId: t.pipelineId,
      status: t.status,
      webUrl: t.webUrl,
      path: "",
      files: [],
      bytes: t.size,
      sha256: "",
      expiresAt: t.expiresAt,
    };
    const { label } = t;
    const id = t.id as number; // list, keep and delete always name jobs by id (ref is download-only)
    if (options.mode === "keep") {
      if (!options.dryRun) {
        const kept = await api.keep(id);
        base.expiresAt = kept.artifacts_expire_at;
        log.info(
          `${label}: artifacts kept${kept.artifacts_expire_at ? ` until ${kept.artifacts_expire_at}` : " with no expiry"}`,
        );
      }
      results.push({ ...base, action: "kept" });
    } else if (options.mode === "delete") {
      if (!options.dryRun) {
        await api.deleteArtifacts(id);
        log.info(`${label}: artifacts deleted`);
      }
      results.push({ ...base, action: "deleted" });
    } else if (options.mode === "list") {
      results.push({ ...base, action: "listed", storage: await api.storageOf(id) });
    } else {
      results.push({ ...base, action: "downloaded" });
    }
  }
  return results;
}
