/**
 * The object-storage origin: presigned, expiring URLs in the style of S3, ranges and
 * conditional requests, S3's XML errors, and the leak detector: any request that carries a
 * GitLab credential is recorded and refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type Archive, openRange } from "./archives.ts";
import type { Clock } from "./clock.ts";
import { serveStored } from "./ranges.ts";
import type { Reply } from "./reply.ts";

const BUCKET = "gitlab-artifacts";
const OBJECT_PATH = new RegExp(`^/${BUCKET}/(\\d+)/[0-9a-f]+/artifacts\\.zip$`);

export interface SignedUrlOptions {
  /** The job whose archive this is: each job's archive is its own object. */
  jobId: number;
  /** The store has lost the object (it answers 404 NoSuchKey). */
  missing: boolean;
  /** The download's file name for `response-content-disposition`. */
  filename: string;
  /** When the object was stored: its Last-Modified. */
  uploadedAt: number;
  /** The method the URL is signed for (S3 signs it: a GET URL refuses HEAD). */
  method: "GET" | "HEAD";
}

interface StoredObject {
  archive: Archive;
  uploadedAt: number;
}

export class ObjectStore {
  readonly #secret = randomBytes(32);
  readonly #objects = new Map<string, StoredObject>();
  constructor(
    readonly clock: Clock,
    /** Lifetime of a signed URL in seconds. */
    readonly ttl: number,
    /** Every GitLab credential in the scenario: none of them may reach this origin. */
    readonly credentials: () => Iterable<string>,
    /** Each signed URL answers one request only. */
    readonly singleUse = false,
  ) {}
  readonly #used = new Set<string>();

  /** Where a job's archive is stored. */
  objectPath(jobId: number, archive: Archive): string {
    return `/${BUCKET}/${jobId}/${archive.key}/artifacts.zip`;
  }

  /** The job whose archive a store path names, if it names one. */
  jobOf(path: string): number | undefined {
    const m = OBJECT_PATH.exec(path);
    return m ? Number(m[1]) : undefined;
  }

  /** A presigned URL, as GitLab hands out for direct and proxied downloads. */
  signedUrl(
    origin: string,
    archive: Archive,
    { jobId, missing, filename, uploadedAt, method }: SignedUrlOptions,
  ): string {
    const path = this.objectPath(jobId, archive);
    if (missing) this.#objects.delete(path);
    else if (!this.#objects.has(path)) this.#objects.set(path, { archive, uploadedAt });
    const date = amzDate(this.clock.now());
    const params = new URLSearchParams({
      "response-content-disposition": `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      "response-content-type": "application/octet-stream",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": `SIMULATOR/${date.slice(0, 8)}/us-east-1/s3/aws4_request`,
      "X-Amz-Date": date,
      "X-Amz-Expires": String(this.ttl),
      "X-Amz-SignedHeaders": "host",
    });
    // Signed twice in the same second, a URL would come out the same: a one-time one needs a nonce.
    if (this.singleUse) params.set("X-Simulator-Once", randomBytes(8).toString("hex"));
    params.set("X-Amz-Signature", this.#sign(method, path, params));
    return `${origin}${path}?${params}`;
  }

  #sign(method: string, path: string, params: URLSearchParams): string {
    const canonical = [...params]
      .filter(([k]) => k !== "X-Amz-Signature")
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join("&");
    return createHmac("sha256", this.#secret)
      .update(`${method}\n${path}\n${canonical}`)
      .digest("hex");
  }

  /** Which GitLab credential the request carries, if any (header name or where it was found). */
  leakIn(req: IncomingMessage): string | undefined {
    for (const name of ["private-token", "job-token", "authorization"])
      if (req.headers[name] !== undefined) return `${name} header`;
    const raw = req.url ?? "";
    let url = raw;
    try {
      url = decodeURIComponent(raw);
    } catch {
      // A malformed escape: look in the raw text.
    }
    const headers = Object.values(req.headers).flat().join("\n");
    for (const token of this.credentials()) {
      if (url.includes(token) || raw.includes(token)) return "a token in the URL";
      if (headers.includes(token)) return "a token in a header";
    }
    return undefined;
  }

  handle(req: IncomingMessage, url: URL, options: { ignoreRange: boolean }): Reply {
    const leak = this.leakIn(req);
    if (leak)
      return s3Error(
        400,
        "InvalidRequest",
        `pipeline-artifacts simulator: a GitLab credential (${leak}) was sent to object storage`,
      );
    if (req.method !== "GET" && req.method !== "HEAD")
      return s3Error(
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
      );
    const stored = this.#objects.get(url.pathname);
    const params = url.searchParams;
    const signature = params.get("X-Amz-Signature");
    if (!signature) return s3Error(403, "AccessDenied", "Access Denied");
    // The signature covers the method, as S3's SigV4 and GCS's V4 signing do: a URL signed for
    // GET refuses a HEAD (403 SignatureDoesNotMatch), hence GitLab's HEAD-signed URLs on AWS.
    const expected = Buffer.from(this.#sign(req.method, url.pathname, params), "hex");
    const given = Buffer.from(signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return s3Error(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      );
    const signedAt = parseAmzDate(params.get("X-Amz-Date") ?? "");
    const expires = signedAt + Number(params.get("X-Amz-Expires")) * 1000;
    if (this.clock.now() > expires) return s3Error(403, "AccessDenied", "Request has expired");
    if (this.singleUse) {
      if (this.#used.has(signature)) return s3Error(403, "AccessDenied", "Access Denied");
      this.#used.add(signature);
    }
    if (!stored) return s3Error(404, "NoSuchKey", "The specified key does not exist.");
    const { archive, uploadedAt } = stored;

    return serveStored(
      req,
      {
        size: archive.size,
        open: (start, end) => openRange(archive, start, end),
        etag: `"${archive.sha256.slice(0, 32)}"`,
        lastModified: new Date(uploadedAt),
      },
      {
        "Content-Type": params.get("response-content-type") ?? "binary/octet-stream",
        ...(params.get("response-content-disposition")
          ? { "Content-Disposition": params.get("response-content-disposition") ?? "" }
          : {}),
        "x-amz-request-id": randomBytes(8).toString("hex").toUpperCase(),
        Server: "AmazonS3",
      },
      {
        ignoreRange: options.ignoreRange,
        unsatisfiable: () => s3Error(416, "InvalidRange", "The requested range is not satisfiable"),
      },
    );
  }
}

export function s3Error(status: number, code: string, message: string): Reply {
  const body = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomBytes(8).toString("hex").toUpperCase()}</RequestId></Error>`,
  );
  return {
    status,
    headers: {
      "Content-Type": "application/xml",
      "Content-Length": body.length,
      Server: "AmazonS3",
    },
    body,
  };
}

/** S3's compact ISO 8601 form: 20261101T120000Z. */
const amzDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

const parseAmzDate = (value: string) =>
  /^\d{8}T\d{6}Z$/.test(value)
    ? Date.parse(value.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"))
    : Number.NaN;
