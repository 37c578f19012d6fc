/** Helpers for tests that talk to the simulator over real HTTP. */
import type { TestContext } from "node:test";
import { type Simulator, type SimulatorOptions, startSimulator } from "../simulator/index.ts";
import type { LoggedRequest } from "../simulator/log.ts";
import type { ScenarioSpec } from "../simulator/scenario.ts";

export const SAMPLE = new URL("../simulator/scenarios/sample.json", import.meta.url).pathname;
export const MAINTAINER = "glpat-simulator-maintainer";
export const DEVELOPER = "glpat-simulator-developer";
export const JOB_TOKEN = "glcbt-simulator-collect-job";

/** Starts a simulator that the test closes when it ends. */
export async function simulate(
  t: TestContext,
  scenario: ScenarioSpec | string = SAMPLE,
  options: Omit<SimulatorOptions, "scenario"> = {},
): Promise<Simulator> {
  const sim = await startSimulator({ scenario, ...options });
  t.after(() => sim.close());
  return sim;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
  json: unknown;
}

export interface Ask {
  method?: string;
  /** Sent as PRIVATE-TOKEN. */
  token?: string;
  /** Sent as JOB-TOKEN. */
  jobToken?: string;
  headers?: Record<string, string>;
}

/** One request to the GitLab API root (or an absolute URL); redirects are not followed. */
export async function ask(sim: Simulator, path: string, options: Ask = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers["PRIVATE-TOKEN"] = options.token;
  if (options.jobToken) headers["JOB-TOKEN"] = options.jobToken;
  const url = /^https?:/.test(path) ? path : `${sim.apiUrl}${path}`;
  const res = await fetch(url, { method: options.method ?? "GET", headers, redirect: "manual" });
  const body = Buffer.from(await res.arrayBuffer());
  const text = body.toString("utf8");
  let json: unknown;
  if (res.headers.get("content-type") === "application/json") json = JSON.parse(text);
  return { status: res.status, headers: res.headers, body, text, json };
}

/** A small private project with one pipeline, for tests that want their own jobs. */
export function project(
  jobs: ScenarioSpec["projects"][number]["pipelines"],
  extra: Partial<ScenarioSpec> = {},
): ScenarioSpec {
  return {
    projects: [{ id: 7, path: "group/app", pipelines: jobs }],
    tokens: [{ token: MAINTAINER, type: "personal" }],
    ...extra,
  };
}

/** Requests that moved archive bytes: GitLab's archive route, or object storage. */
export const archiveRequests = (sim: Simulator): LoggedRequest[] =>
  sim.log.entries.filter((e) => e.route === "archive" || e.origin === "storage");

/** The next request-log entry matching `match`; call it before sending the request. */
export function nextRequest(
  sim: Simulator,
  match: (e: LoggedRequest) => boolean = () => true,
): Promise<LoggedRequest> {
  return new Promise((resolve) => {
    const listener = (entry: LoggedRequest) => {
      if (!match(entry)) return;
      sim.events.off("request", listener);
      resolve(entry);
    };
    sim.events.on("request", listener);
  });
}
