/**
 * An archive read where it lies, through HTTP ranges, the way GitLab Workhorse reads zips: a
 * ByteSource (archive/source.ts) whose reads are ranged GETs. Opening fetches the tail (where a
 * zip's end-of-central-directory record is); later reads fetch the central directory and only the
 * local headers and data of the wanted entries. Every request after the first is guarded by
 * If-Range with the first answer's validator, so an archive that changes meanwhile is noticed,
 * not mixed.
 *
 * Reads are served from fixed-size blocks fetched on demand and kept for a while, so neighbouring
 * reads (a local header, its name, the next small entry) share one request.
 */
import { buffer } from "node:stream/consumers";
import { PassThrough, Readable } from "node:stream";
import { END_BYTES } from "../archive/layout.ts";
import type { ByteSource } from "../archive/source.ts";
import { RunError } from "../errors.ts";
import { type GitLabClient, readText } from "../gitlab/client.ts";
import { validator } from "./download.ts";

/** What yauzl reads first (archive/layout.ts). */
const TAIL = END_BYTES;
const BLOCK = 32 * 1024;
const KEPT_BLOCKS = 8;

/** The server answered a Range request with the whole body: it does not do ranges here. */
export class RangesIgnored extends Error {
  override name = "RangesIgnored";
}

interface Block {
  start: number;
  data: Buffer;
}

export class RangedSource implements ByteSource {
  /** Body bytes received, for reporting. */
  received = 0;
  #blocks: Block[] = [];

  private constructor(
    readonly client: GitLabClient,
    readonly url: string,
    readonly what: string,
    readonly size: number,
    readonly validator: string | undefined,
  ) {}

  /**
   * Fetches the tail; learns the size and the validator. Throws RangesIgnored on a 200 (also the
   * answer when `ifRange`, a validator of the archive, no longer matches it).
   */
  static async open(
    client: GitLabClient,
    url: string,
    what: string,
    ifRange?: string,
  ): Promise<RangedSource> {
    const res = await client.request(
      "GET",
      url,
      { what: `reading the end of ${what}`, route: "download" },
      { Range: `bytes=-${TAIL}`, ...(ifRange === undefined ? {} : { "If-Range": ifRange }) },
      (s) => s === 206 || s === 200,
    );
    if (res.status === 200) {
      res.body.destroy();
      throw new RangesIgnored(
        `the server answered a Range request for ${what} with the whole archive`,
      );
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(res.headers["content-range"] ?? ""));
    if (!range)
      throw new RunError(
        `${what}: no usable Content-Range in the answer (${res.headers["content-range"]})`,
      );
    const source = new RangedSource(client, url, what, Number(range[3]), validator(res.headers));
    const tail = await buffer(res.body);
    source.received += tail.length;
    source.#keep({ start: Number(range[1]), data: tail });
    return source;
  }

  async close(): Promise<void> {
    this.#blocks = [];
  }

  #keep(block: Block): void {
    this.#blocks.unshift(block);
    if (this.#blocks.length > KEPT_BLOCKS) this.#blocks.pop();
  }

  #cached(start: number, end: number): Buffer | undefined {
    const block = this.#blocks.find((b) => b.start <= start && end <= b.start + b.data.length);
    return block?.data.subarray(start - block.start, end - block.start);
  }

  /** Bytes [start, end) as one ranged GET, If-Range guarded. */
  async fetch(start: number, end: number): Promise<NodeJS.ReadableStream> {
    const headers: Record<string, string> = { Range: `bytes=${start}-${end - 1}` };
    if (this.validator) headers["If-Range"] = this.validator;
    const res = await this.client.request(
      "GET",
      this.url,
      { what: `reading bytes ${start}-${end - 1} of ${this.what}`, route: "download" },
      headers,
      (s) => s === 206 || s === 200,
    );
    if (res.status === 200) {
      res.body.destroy();
      throw new RunError(
        `${this.what} changed while it was being read (GitLab answered the whole archive to If-Range)`,
        "try again",
      );
    }
    const got = /^bytes (\d+)-(\d+)\//.exec(String(res.headers["content-range"] ?? ""));
    if (!got || Number(got[1]) !== start || Number(got[2]) !== end - 1) {
      await readText(res.body);
      throw new RunError(
        `${this.what}: asked for bytes ${start}-${end - 1}, got ${res.headers["content-range"]}`,
      );
    }
    const counter = new PassThrough();
    counter.on("data", (chunk: Buffer) => {
      this.received += chunk.length;
    });
    res.body.on("error", (e) => counter.destroy(e));
    return res.body.pipe(counter);
  }

  /** Small reads (headers, the central directory) come from blocks. */
  async read(position: number, length: number): Promise<Buffer> {
    const hit = this.#cached(position, position + length);
    if (hit) return hit;
    const end = Math.min(this.size, position + Math.max(length, BLOCK));
    const block = { start: position, data: await buffer(await this.fetch(position, end)) };
    this.#keep(block);
    return block.data.subarray(0, length);
  }

  /** A range as a stream: what blocks hold is served from them, the rest fetched in one request. */
  stream(start: number, end: number): Readable {
    const whole = this.#cached(start, end);
    if (whole) return Readable.from([whole]);
    const out = new PassThrough();
    const block = this.#blocks.find((b) => b.start <= start && start < b.start + b.data.length);
    const head = block ? block.data.subarray(start - block.start) : Buffer.alloc(0);
    if (head.length > 0) out.write(head);
    this.fetch(start + head.length, end).then(
      (rest) => {
        rest.on("error", (e) => out.destroy(e));
        rest.pipe(out);
      },
      (e: Error) => out.destroy(e),
    );
    return out;
  }
}
