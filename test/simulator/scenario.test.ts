/** Scenarios: checked with messages that say where and what; hostile archives described like any other. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { crc32 } from "node:zlib";
import yauzl from "yauzl";
import { buildWorld, type ScenarioSpec } from "../simulator/scenario.ts";
import { ask, MAINTAINER, project, simulate } from "../support/sim.ts";

describe("buildWorld", () => {
  const cases: [string, ScenarioSpec, RegExp][] = [
    [
      "bad profile",
      { profile: "ancient" as "newest", projects: [] },
      /^scenario profile: must be one of legacy, recent, newest, 18\.9$/,
    ],
    [
      "bad start time",
      { startTime: "yesterday", projects: [] },
      /^scenario startTime: must be an ISO 8601 date-time$/,
    ],
    [
      "project path",
      { projects: [{ id: 1, path: "app" }] },
      /^scenario projects\[0\]: path must look like "group\/name"$/,
    ],
    [
      "job status",
      {
        projects: [
          {
            id: 1,
            path: "g/a",
            pipelines: [{ id: 2, jobs: [{ name: "x", status: "done" as "success" }] }],
          },
        ],
      },
      /^scenario projects\[0\]\.pipelines\[0\]\.jobs\[0\]: status "done" is not one of created, .*scheduled$/,
    ],
    [
      "duplicate job id",
      {
        projects: [
          {
            id: 1,
            path: "g/a",
            pipelines: [
              {
                id: 2,
                jobs: [
                  { id: 5, name: "a" },
                  { id: 5, name: "b" },
                ],
              },
            ],
          },
        ],
      },
      /^scenario job 5: id used twice$/,
    ],
    [
      "dangling downstream",
      {
        projects: [
          {
            id: 1,
            path: "g/a",
            pipelines: [{ id: 2, bridges: [{ id: 3, name: "t", downstream: 99 }] }],
          },
        ],
      },
      /^scenario bridge 3: downstream pipeline 99 does not exist$/,
    ],
    [
      "job token without a build",
      {
        projects: [{ id: 1, path: "g/a", pipelines: [{ id: 2 }] }],
        tokens: [{ token: "glcbt-12345", type: "job", job: 9 }],
      },
      /^scenario tokens\[0\]: job must name a build$/,
    ],
  ];
  for (const [what, spec, message] of cases)
    test(`refuses a scenario with a ${what}`, () =>
      assert.throws(() => buildWorld(spec), { name: "ScenarioError", message }));

  // Fields that used to crash the simulator (or a later request) instead of being refused.
  const oneJob = (job: Record<string, unknown>, pipeline: Record<string, unknown> = {}) =>
    ({
      projects: [
        { id: 1, path: "g/a", pipelines: [{ id: 2, ...pipeline, jobs: [{ name: "x", ...job }] }] },
      ],
    }) as unknown as ScenarioSpec;
  const withFile = (entry: unknown) => oneJob({ artifacts: { files: [entry] } });
  const JOB = "projects\\[0\\]\\.pipelines\\[0\\]\\.jobs\\[0\\]";
  const malformed: [string, ScenarioSpec, string][] = [
    [
      "numeric seed",
      withFile({ type: "file", name: "a", content: { size: 10, fill: "random", seed: 5 } }),
      `${JOB}\\.artifacts\\.files\\[0\\]\\.content: seed must be a string, got 5`,
    ],
    [
      "file without content",
      withFile({ type: "file", name: "a" }),
      `${JOB}\\.artifacts\\.files\\[0\\]\\.content: must be an object, got undefined`,
    ],
    [
      "non-string text",
      withFile({ type: "file", name: "a", content: { text: 5 } }),
      `${JOB}\\.artifacts\\.files\\[0\\]\\.content: text must be a string, got 5`,
    ],
    [
      "negative generated size",
      withFile({ type: "file", name: "a", content: { size: -1, fill: "zeros" } }),
      `${JOB}\\.artifacts\\.files\\[0\\]\\.content: size must be a whole number of bytes, got -1`,
    ],
    [
      "unknown fill",
      withFile({ type: "file", name: "a", content: { size: 1, fill: "ones" } }),
      `${JOB}\\.artifacts\\.files\\[0\\]\\.content: fill must be one of "random", "zeros", "text", "source", got "ones"`,
    ],
    [
      "entry of unknown type",
      withFile({ type: "fifo", name: "a" }),
      `${JOB}\\.artifacts\\.files\\[0\\]: type must be "file", "directory" or "symlink", got "fifo"`,
    ],
    [
      "symlink without target",
      withFile({ type: "symlink", name: "a" }),
      `${JOB}\\.artifacts\\.files\\[0\\]: a symlink needs a string target`,
    ],
    [
      "bad zip mtime",
      oneJob({ artifacts: { files: [], zip: { mtime: "never" } } }),
      `${JOB}\\.artifacts\\.zip: mtime must be an ISO 8601 date-time, got "never"`,
    ],
    [
      "string expireIn",
      oneJob({ artifacts: { files: [], expireIn: "1d" } }),
      `${JOB}\\.artifacts: expireIn must be a number of seconds or null, got "1d"`,
    ],
    [
      "string createdAt",
      oneJob({}, { createdAt: "yesterday" }),
      'projects\\[0\\]\\.pipelines\\[0\\]: createdAt must be a number, got "yesterday"',
    ],
    [
      "tags as a string",
      oneJob({ tags: "docker" }),
      `${JOB}: tags must be an array of strings, got "docker"`,
    ],
    [
      "timeline change without a time",
      oneJob({ timeline: [{ status: "success" }] }),
      `${JOB}\\.timeline\\[0\\]: at must be a number of seconds`,
    ],
    [
      "unknown report type",
      oneJob({ reports: ["junit", "xml"] }),
      `${JOB}: reports must be an array of report types \\(junit, .*\\), got \\["junit","xml"\\]`,
    ],
    [
      "null project",
      { projects: [null] } as unknown as ScenarioSpec,
      "projects\\[0\\]: must be an object, got null",
    ],
    [
      "numeric allowlist",
      { projects: [{ id: 1, path: "g/a", jobTokenAllowlist: 5 }] } as unknown as ScenarioSpec,
      "projects\\[0\\]: jobTokenAllowlist must be an array of project ids or .*, got 5",
    ],
    [
      "unknown visibility",
      { projects: [{ id: 1, path: "g/a", visibility: "secret" }] } as unknown as ScenarioSpec,
      'projects\\[0\\]: visibility must be one of "private", "internal", "public", got "secret"',
    ],
    [
      "protected ref with an unknown access level",
      {
        projects: [{ id: 1, path: "g/a", protectedRefs: [{ name: "main", allowed: "owner" }] }],
      } as unknown as ScenarioSpec,
      'projects\\[0\\]\\.protectedRefs\\[0\\]: allowed must be one of "developer", "maintainer", "no_one", got "owner"',
    ],
    [
      "pipeline that triggers itself",
      {
        projects: [
          {
            id: 1,
            path: "g/a",
            pipelines: [{ id: 2, bridges: [{ id: 3, name: "t", downstream: 2 }] }],
          },
        ],
      },
      "bridge 3: cannot trigger its own pipeline",
    ],
    [
      "scopes as a string",
      {
        projects: [],
        tokens: [{ token: "glpat-12345678", type: "personal", scopes: "api" }],
      } as unknown as ScenarioSpec,
      'tokens\\[0\\]: scopes must be an array of scopes \\("api", "read_api"\\), got "api"',
    ],
    [
      "unknown role",
      {
        projects: [],
        tokens: [{ token: "glpat-12345678", type: "personal", role: "admin" }],
      } as unknown as ScenarioSpec,
      'tokens\\[0\\]: role must be one of "guest", .*, got "admin"',
    ],
    [
      "unknown store provider",
      { projects: [], storeProvider: "S3" } as unknown as ScenarioSpec,
      "storeProvider: must be one of AWS, Google, AzureRM",
    ],
  ];
  for (const [what, spec, message] of malformed)
    test(`refuses a scenario with a ${what}, naming the field`, () =>
      assert.throws(() => buildWorld(spec), {
        name: "ScenarioError",
        message: new RegExp(`^scenario ${message}$`),
      }));

  test("assigns missing job ids in file order, after the explicit ones", () => {
    const world = buildWorld({
      projects: [
        {
          id: 1,
          path: "g/a",
          pipelines: [{ id: 2, jobs: [{ name: "a" }, { id: 5000, name: "b" }, { name: "c" }] }],
        },
      ],
    });
    assert.deepEqual(
      [...world.jobs.values()].map((j) => [j.id, j.name]),
      [
        [5001, "a"],
        [5000, "b"],
        [5002, "c"],
      ],
    );
  });
});

/** Reads an archive's central directory without any name validation. */
function entries(
  zip: Buffer,
): Promise<{ name: string; mode: number; crc32: number; size: number }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(
      zip,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: false },
      (err, file) => {
        if (err || !file) return reject(err);
        const out: { name: string; mode: number; crc32: number; size: number }[] = [];
        file.on("entry", (e: yauzl.Entry) => {
          out.push({
            name: (e.fileName as unknown as Buffer).toString("utf8"),
            mode: e.externalFileAttributes >>> 16,
            crc32: e.crc32,
            size: e.uncompressedSize,
          });
          file.readEntry();
        });
        file.on("end", () => resolve(out));
        file.on("error", reject);
        file.readEntry();
      },
    );
  });
}

test("hostile archives are served exactly as described", async (t) => {
  const sim = await simulate(
    t,
    project([
      {
        id: 5,
        jobs: [
          {
            id: 1,
            name: "evil",
            artifacts: {
              files: [
                { type: "file", name: "../../etc/cron.d/evil", content: { text: "x" } },
                { type: "file", name: "/abs/path.txt", content: { text: "x" } },
                { type: "symlink", name: "link", target: "../../../outside" },
                {
                  type: "file",
                  name: "link/through.txt",
                  content: { text: "written through the link" },
                },
                {
                  type: "file",
                  name: "bomb.bin",
                  content: { size: 64 * 1024 * 1024, fill: "zeros" },
                },
                { type: "file", name: "crc.txt", content: { text: "checked" }, badCrc: true },
                { type: "file", name: "dup.txt", content: { text: "one" } },
                { type: "file", name: "dup.txt", content: { text: "two" } },
                { type: "file", name: "run.sh", mode: 0o755, content: { text: "#!/bin/sh\n" } },
              ],
            },
          },
        ],
      },
    ]),
  );
  const zip = await ask(sim, "/projects/7/jobs/1/artifacts", { token: MAINTAINER });
  assert.equal(zip.status, 200);
  assert.ok(zip.body.length < 1024 * 1024, "the 64 MiB of zeros deflate to a small bomb");
  const got = await entries(zip.body);
  assert.deepEqual(
    got.map((e) => e.name),
    [
      "../../etc/cron.d/evil",
      "/abs/path.txt",
      "link",
      "link/through.txt",
      "bomb.bin",
      "crc.txt",
      "dup.txt",
      "dup.txt",
      "run.sh",
    ],
  );
  const byName = (name: string) => got.find((e) => e.name === name);
  assert.equal((byName("link")?.mode ?? 0) & 0o170000, 0o120000, "a symlink entry");
  assert.equal(byName("bomb.bin")?.size, 64 * 1024 * 1024);
  assert.equal((byName("run.sh")?.mode ?? 0) & 0o777, 0o755);
  assert.notEqual(byName("crc.txt")?.crc32, crc32(Buffer.from("checked")));
});

test("every fill the archive writer knows is accepted in a scenario (the benchmarks use source)", async () => {
  for (const fill of ["random", "zeros", "text", "source"] as const)
    assert.doesNotThrow(
      () =>
        buildWorld({
          projects: [
            {
              id: 1,
              path: "g/p",
              pipelines: [
                {
                  id: 1,
                  jobs: [
                    {
                      id: 1,
                      name: "b",
                      artifacts: {
                        files: [{ type: "file", name: "f", content: { size: 10, fill } }],
                      },
                    },
                  ],
                },
              ],
            },
          ],
          tokens: [],
        }),
      fill,
    );
});
