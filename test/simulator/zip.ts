// A deterministic zip archive WRITER for the GitLab simulator.
//
// Why not a library: yazl (and friends) refuse hostile entry names and always
// write correct CRCs and sizes, but the simulator must be able to serve exactly
// the archives a hostile or broken GitLab could serve. So we write the bytes
// ourselves, following PKWARE's APPNOTE.TXT (section numbers cited below).
//
// Design:
// - Contents are streams and are never held in memory whole (archives can be
//   several GiB); generated contents are deterministic per (seed, size).
// - Without data descriptors, each local header is written with placeholder
//   CRC/sizes and patched in place (positional write) once the data is written.
// - Writes go through a small in-memory buffer so that archives with tens of
//   thousands of tiny entries do not cost one syscall per header.
// - The archive is written to a temporary name and renamed at the end, so a
//   half-written archive never appears at the final path.
// - Same entries + options => identical bytes (fixed time, fixed versions,
//   fixed deflate level). The deflate output depends on Node's bundled zlib,
//   so byte-identity holds for a given Node build, not across all versions.

import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { sourceTextChunks } from "./source-text.ts";

export type Content =
  | { text: string } // utf-8
  | { base64: string }
  // Generated, streamed, deterministic per (seed, size). "text": numbered lines (compresses
  // 10x and more); "source": code, build output and logs that compress 3-6x like real text.
  | { size: number; fill: "random" | "zeros" | "text" | "source"; seed?: string };

export type ZipEntry =
  | {
      type: "file";
      name: string;
      content: Content;
      mode?: number;
      method?: "store" | "deflate";
      badCrc?: boolean; // write a wrong CRC-32 (hostile)
      declaredSize?: number; // lie about the uncompressed size in headers (hostile)
    }
  | { type: "directory"; name: string; mode?: number }
  | { type: "symlink"; name: string; target: string; badCrc?: boolean };

export interface ZipOptions {
  zip64?: "auto" | "force";
  dataDescriptors?: boolean;
  /** Modification time of every entry (a Date, or ISO 8601 text in scenario files). */
  mtime?: Date | string;
  /** Cut the finished archive to this many bytes (hostile: a truncated upload). */
  truncate?: number;
  /**
   * List the entries in the central directory in the reverse of the order their data lies in
   * (valid, if unusual: nothing requires the two orders to agree).
   */
  centralReversed?: boolean;
  /** Write an overlapping-entry zip bomb instead of the entries (hostile; see writeOverlapBomb). */
  overlapBomb?: OverlapBomb;
}

/**
 * David Fifield's "better zip bomb" (https://www.bamsoftware.com/hacks/zipbomb/, the
 * CVE-2019-13232 class): every entry's compressed data runs to the end of one shared kernel,
 * so the archive holds `entries` files of about `kernelSize` bytes each while storing the kernel once.
 */
export interface OverlapBomb {
  entries: number;
  /** Bytes of zeros the shared kernel inflates to. */
  kernelSize: number;
  /** Entry names are `<prefix><index>`, default "bomb/". */
  prefix?: string;
}

/** What was recorded in the headers (so for hostile entries: the lie, not the truth). */
export interface WrittenEntry {
  name: string;
  type: "file" | "directory" | "symlink";
  localHeaderOffset: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
}

export interface WrittenZip {
  size: number;
  sha256: string;
  entries: WrittenEntry[];
}

// ---------------------------------------------------------------------------
// Content generation

const CHUNK = 1024 * 1024; // big chunks keep per-chunk overhead (syscalls, promises) negligible

/**
 * The bytes of a Content as a stream. For generated contents, the seed
 * defaults to the entry name inside writeZip; here it defaults to "".
 * A shorter size is always a prefix of a longer one with the same seed.
 */
export function contentStream(content: Content): Readable {
  // objectMode: false so consumers see a normal byte stream.
  if ("text" in content) {
    return Readable.from([Buffer.from(content.text, "utf8")], { objectMode: false });
  }
  if ("base64" in content) {
    return Readable.from([Buffer.from(content.base64, "base64")], { objectMode: false });
  }
  checkSize(content.size);
  const seed = content.seed ?? "";
  const chunks =
    content.fill === "random"
      ? randomChunks(content.size, seed)
      : content.fill === "zeros"
        ? zeroChunks(content.size)
        : content.fill === "source"
          ? sourceTextChunks(content.size, seed, CHUNK)
          : textChunks(content.size, seed);
  return Readable.from(chunks, { objectMode: false });
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`invalid content size: ${size}`);
}

function* randomChunks(size: number, seed: string): Generator<Buffer> {
  // AES-128-CTR over zeros is a fast (several GB/s with AES-NI) deterministic keystream.
  // Key and IV both come from sha256(seed) so each seed gets its own stream.
  const digest = createHash("sha256").update(seed, "utf8").digest();
  const cipher = createCipheriv("aes-128-ctr", digest.subarray(0, 16), digest.subarray(16, 32));
  const zeros = Buffer.alloc(CHUNK);
  for (let left = size; left > 0; left -= CHUNK) {
    yield cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
  }
}

function* zeroChunks(size: number): Generator<Buffer> {
  // A fresh buffer per chunk: a shared one could be mutated by a consumer.
  for (let left = size; left > 0; left -= CHUNK) yield Buffer.alloc(Math.min(left, CHUNK));
}

function* textChunks(size: number, seed: string): Generator<Buffer> {
  // Readable, compressible, and every line differs (numbered) so a reader can
  // spot misplaced or repeated data. Bytes are copied straight into the chunk
  // and the line number is an ASCII odometer: string building and
  // Buffer.write per line would be several times slower.
  const prefix = Buffer.from(`${seed} line `, "utf8");
  const suffix = Buffer.from(": the quick brown fox jumps over the lazy dog\n", "utf8");
  const digits = [0x30]; // "0"
  const capacity = CHUNK + prefix.length + 20 + suffix.length; // room for one line past CHUNK
  let buf = Buffer.allocUnsafe(capacity);
  let used = 0;
  for (let left = size; left > 0;) {
    const n = Math.min(left, CHUNK);
    while (used < n) {
      buf.set(prefix, used); // TypedArray.set: much cheaper than Buffer.copy for tiny copies
      used += prefix.length;
      for (const d of digits) buf[used++] = d;
      buf.set(suffix, used);
      used += suffix.length;
      let i = digits.length - 1; // increment the odometer
      while (i >= 0 && digits[i] === 0x39) digits[i--] = 0x30;
      if (i >= 0) digits[i] = (digits[i] ?? 0x30) + 1;
      else digits.unshift(0x31);
    }
    // The line that crossed the chunk boundary starts the next buffer.
    const next = Buffer.allocUnsafe(capacity);
    used = buf.copy(next, 0, n, used);
    yield buf.subarray(0, n);
    buf = next;
    left -= n;
  }
}

function contentSize(content: Content): number {
  if ("text" in content) return Buffer.byteLength(content.text, "utf8");
  if ("base64" in content) return Buffer.from(content.base64, "base64").length;
  checkSize(content.size);
  return content.size;
}

// ---------------------------------------------------------------------------
// Output: buffered appends plus positional patches

class Output {
  /** Logical end of the file = offset of the next appended byte. */
  pos = 0;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private used = 0; // bytes in buf, which start at file offset pos - used

  constructor(private readonly fh: FileHandle) {}

  async append(data: Buffer): Promise<void> {
    if (this.used + data.length > this.buf.length) await this.flush();
    if (data.length >= this.buf.length) {
      await this.writeAll(data, this.pos);
    } else {
      data.copy(this.buf, this.used);
      this.used += data.length;
    }
    this.pos += data.length;
  }

  /** Overwrite already-appended bytes (used to patch local headers). */
  async patch(at: number, data: Buffer): Promise<void> {
    const bufStart = this.pos - this.used;
    if (at >= bufStart) {
      data.copy(this.buf, at - bufStart); // still in memory
    } else {
      // Flushing first means the patch never races with, or is overwritten
      // by, a later flush of a buffer that straddles it.
      await this.flush();
      await this.writeAll(data, at);
    }
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.writeAll(this.buf.subarray(0, this.used), this.pos - this.used);
    this.used = 0;
  }

  private async writeAll(data: Buffer, at: number): Promise<void> {
    // FileHandle.write may write less than asked (rare, but allowed).
    for (let done = 0; done < data.length;) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, at + done);
      done += bytesWritten;
    }
  }
}

// ---------------------------------------------------------------------------
// Zip format

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const VERSION_MADE_BY = (3 << 8) | 63; // 3 = Unix (so external attrs carry st_mode), spec 6.3
const VERSION_NEEDED = 20; // deflate, directories (4.4.3.2)
const VERSION_NEEDED_ZIP64 = 45;
const FLAG_DATA_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const MSDOS_DIR = 0x10;
const DEFLATE_LEVEL = 1; // ~3x faster than the default on text; the ratio does not matter here
const DEFAULT_MTIME = new Date("2026-01-01T00:00:00Z");

type Dos = { time: number; date: number };

interface EntryRecord {
  written: WrittenEntry;
  nameBytes: Buffer;
  flags: number;
  method: number;
  externalAttrs: number;
  zip64Local: boolean;
}

export async function writeZip(
  entries: ZipEntry[],
  file: string,
  options: ZipOptions = {},
): Promise<WrittenZip> {
  const force = options.zip64 === "force";
  const descriptors = options.dataDescriptors === true;
  const dos = dosDateTime(options.mtime === undefined ? DEFAULT_MTIME : new Date(options.mtime));
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  const fh = await open(tmp, "w");
  try {
    const out = new Output(fh);
    const records: EntryRecord[] = [];
    if (options.overlapBomb) {
      if (entries.length > 0) throw new Error("an overlap bomb is written instead of entries");
      records.push(...(await writeOverlapBomb(out, options.overlapBomb, dos)));
    }
    for (const entry of entries) {
      records.push(await writeEntry(out, entry, dos, force, descriptors));
    }
    const cdOffset = out.pos;
    const listed = options.centralReversed ? [...records].reverse() : records;
    for (const r of listed) await out.append(centralHeader(r, dos, force));
    await writeEnd(out, records.length, cdOffset, out.pos - cdOffset, force);
    await out.flush();
    let size = out.pos;
    if (options.truncate !== undefined && options.truncate < size) {
      checkSize(options.truncate);
      await fh.truncate(options.truncate);
      size = options.truncate;
    }
    await fh.close();
    // Hash by re-reading the finished file: the patched local headers make
    // hashing during the write (in file order) impossible without buffering.
    const sha256 = await hashFile(tmp);
    await rename(tmp, file);
    return { size, sha256, entries: records.map((r) => r.written) };
  } catch (err) {
    await fh.close().catch(() => {}); // may already be closed
    await rm(tmp, { force: true });
    throw err;
  }
}

async function writeEntry(
  out: Output,
  entry: ZipEntry,
  dos: Dos,
  force: boolean,
  descriptors: boolean,
): Promise<EntryRecord> {
  let name = entry.name;
  let content: Content;
  let method = METHOD_STORE;
  let externalAttrs: number;
  if (entry.type === "file") {
    content = entry.content;
    if (entry.method !== "store") method = METHOD_DEFLATE;
    externalAttrs = unixAttrs(S_IFREG | (entry.mode ?? 0o644));
  } else if (entry.type === "directory") {
    // The trailing slash is what makes an entry a directory for most readers.
    if (!name.endsWith("/")) name += "/";
    content = { text: "" };
    externalAttrs = (unixAttrs(S_IFDIR | (entry.mode ?? 0o755)) | MSDOS_DIR) >>> 0;
  } else {
    // Info-ZIP convention: a symlink is a stored entry whose data is the target.
    content = { text: entry.target };
    externalAttrs = unixAttrs(S_IFLNK | 0o777);
  }
  // Generated content defaults its seed to the entry name (as given, before
  // any "/" is appended), so different files differ without extra effort.
  if ("size" in content && content.seed === undefined) content = { ...content, seed: entry.name };

  const nameBytes = Buffer.from(name, "utf8");
  const isAscii = nameBytes.every((b) => b < 0x80);
  // Directories never get a data descriptor (like Go's archive/zip): their
  // sizes and CRC are known up front.
  const descriptor = descriptors && entry.type !== "directory";
  const flags = (isAscii ? 0 : FLAG_UTF8) | (descriptor ? FLAG_DATA_DESCRIPTOR : 0);
  const size = contentSize(content);
  // declaredSize replaces the true size in every header (hostile entries).
  const headerSize = entry.type === "file" ? (entry.declaredSize ?? size) : size;
  checkSize(headerSize);

  // The local header is written before the data, so whether it carries a
  // zip64 extra must be decided now, from an upper bound of the compressed size.
  const maxCompressed = method === METHOD_DEFLATE ? deflateBound(size) : size;
  const zip64Local = force || headerSize >= MAX32 || maxCompressed >= MAX32;

  const written: WrittenEntry = {
    name,
    type: entry.type,
    localHeaderOffset: out.pos,
    compressedSize: 0,
    uncompressedSize: 0,
    crc32: 0,
  };
  const r: EntryRecord = { written, nameBytes, flags, method, externalAttrs, zip64Local };

  // Placeholder values; with data descriptors they stay zero (APPNOTE 4.4.4).
  await out.append(localHeader(r, dos, descriptor));
  const dataStart = out.pos;
  const crc = await writeData(out, content, method);
  written.compressedSize = out.pos - dataStart;
  written.uncompressedSize = headerSize;
  written.crc32 = entry.type !== "directory" && entry.badCrc ? (crc ^ MAX32) >>> 0 : crc;
  if (!zip64Local && written.compressedSize >= MAX32) {
    throw new Error(`deflateBound underestimated ${name}`); // cannot happen; guards the header layout
  }

  if (descriptor) {
    await out.append(dataDescriptor(r));
  } else {
    await out.patch(written.localHeaderOffset, localHeader(r, dos, false));
  }
  return r;
}

/**
 * The overlap bomb's entries, laid out as
 *   LFH_0 S_0 LFH_1 S_1 ... LFH_n-1 K
 * where K is the deflated kernel and S_i a non-final stored deflate block header (5 bytes)
 * quoting LFH_i+1. Entry i's compressed data runs from the end of LFH_i to the end of K: it
 * inflates to LFH_i+1 .. LFH_n-1 followed by the kernel, so every entry is valid deflate with a
 * correct CRC and sizes, and its local header agrees with its central directory record. Headers
 * are built from the last entry back, since entry i's CRC covers the headers after it.
 */
const STORED_BLOCK_HEADER = 5;

async function writeOverlapBomb(out: Output, bomb: OverlapBomb, dos: Dos): Promise<EntryRecord[]> {
  const { entries, kernelSize } = bomb;
  if (!Number.isSafeInteger(entries) || entries < 1)
    throw new RangeError(`invalid entries: ${entries}`);
  checkSize(kernelSize);
  const kernelData = Buffer.alloc(kernelSize);
  // At the writer's usual level, each entry stays under common per-entry ratio limits (~230:1
  // for zeros); the overlap is what multiplies it.
  const kernel = zlib.deflateRawSync(kernelData, { level: DEFLATE_LEVEL });
  const width = String(entries - 1).length;
  const names = Array.from({ length: entries }, (_, i) =>
    Buffer.from(`${bomb.prefix ?? "bomb/"}${String(i).padStart(width, "0")}`, "utf8"),
  );
  const headers: Buffer[] = new Array(entries);
  const records: EntryRecord[] = new Array(entries);
  let crc = zlib.crc32(kernelData); // of what entry i inflates to, built back to front
  let uncompressed = kernelSize;
  let compressed = kernel.length;
  for (let i = entries - 1; i >= 0; i--) {
    const nameBytes = names[i] as Buffer;
    const r: EntryRecord = {
      written: {
        name: nameBytes.toString("utf8"),
        type: "file",
        localHeaderOffset: 0, // set below, once every header's length is known
        compressedSize: compressed,
        uncompressedSize: uncompressed,
        crc32: crc,
      },
      nameBytes,
      flags: 0,
      method: METHOD_DEFLATE,
      externalAttrs: unixAttrs(S_IFREG | 0o644),
      zip64Local: false,
    };
    if (compressed >= MAX32 || uncompressed >= MAX32)
      throw new RangeError("overlap bomb too large for 32-bit sizes");
    const header = localHeader(r, dos, false);
    headers[i] = header;
    records[i] = r;
    if (i > 0) {
      // Entry i-1 inflates to this header (quoted by a stored block), then to what entry i does.
      crc = crc32Combine(zlib.crc32(header), crc, uncompressed);
      uncompressed += header.length;
      compressed += STORED_BLOCK_HEADER + header.length;
    }
  }
  for (let i = 0; i < entries; i++) {
    const r = records[i] as EntryRecord;
    r.written.localHeaderOffset = out.pos;
    await out.append(headers[i] as Buffer);
    if (i < entries - 1) {
      // BFINAL 0, BTYPE 00 (stored), padded to the byte; then LEN and its complement (RFC 1951 3.2.4).
      const quote = Buffer.alloc(STORED_BLOCK_HEADER);
      const next = (headers[i + 1] as Buffer).length;
      quote.writeUInt16LE(next, 1);
      quote.writeUInt16LE(~next & MAX16, 3);
      await out.append(quote);
    }
  }
  await out.append(kernel);
  return records;
}

/**
 * CRC-32 of A + B from crc(A), crc(B) and B's length: zlib's crc32_combine (GF(2) matrices),
 * which node:zlib does not expose. Appending B again would cost a pass over the kernel per entry.
 */
function crc32Combine(crc1: number, crc2: number, len2: number): number {
  if (len2 <= 0) return crc1;
  const times = (mat: Uint32Array, vec: number) => {
    let sum = 0;
    for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i] as number;
    return sum >>> 0;
  };
  const square = (dst: Uint32Array, mat: Uint32Array) => {
    for (let n = 0; n < 32; n++) dst[n] = times(mat, mat[n] as number);
  };
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  square(even, odd); // 2 zero bits
  square(odd, even); // 4 zero bits
  let c1 = crc1 >>> 0;
  let len = len2;
  do {
    square(even, odd);
    if (len & 1) c1 = times(even, c1);
    len = Math.floor(len / 2);
    if (len === 0) break;
    square(odd, even);
    if (len & 1) c1 = times(odd, c1);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (c1 ^ crc2) >>> 0;
}

/** Streams the content (raw deflate or stored) into out; returns the CRC-32 of the uncompressed bytes. */
async function writeData(out: Output, content: Content, method: number): Promise<number> {
  let crc = 0;
  if (!("size" in content)) {
    // Small in-memory content: synchronous path, far cheaper than a stream
    // pipeline per entry when an archive has tens of thousands of entries.
    const data =
      "text" in content ? Buffer.from(content.text, "utf8") : Buffer.from(content.base64, "base64");
    crc = zlib.crc32(data);
    await out.append(
      method === METHOD_DEFLATE ? zlib.deflateRawSync(data, { level: DEFLATE_LEVEL }) : data,
    );
    return crc;
  }
  const tapCrc = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      crc = zlib.crc32(chunk, crc); // over the uncompressed bytes
      yield chunk;
    }
  };
  const sink = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) await out.append(chunk);
  };
  const src = contentStream(content);
  if (method === METHOD_STORE) {
    await pipeline(src, tapCrc, sink);
  } else {
    const deflate = zlib.createDeflateRaw({ level: DEFLATE_LEVEL, chunkSize: 256 * 1024 });
    await pipeline(src, tapCrc, deflate, sink);
  }
  return crc;
}

/** Unix st_mode goes in the high 16 bits of the external attributes (Info-ZIP convention). */
function unixAttrs(mode: number): number {
  return ((mode & 0xffff) << 16) >>> 0;
}

/** Conservative upper bound of raw deflate output (zlib's deflateBound for any parameters). */
function deflateBound(n: number): number {
  return n + Math.ceil(n / 8) + Math.ceil(n / 64) + 5 + 64;
}

function localHeader(r: EntryRecord, dos: Dos, zeroed: boolean): Buffer {
  const w = r.written;
  const extraLen = r.zip64Local ? 4 + 16 : 0;
  const b = Buffer.alloc(30 + r.nameBytes.length + extraLen);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(r.zip64Local ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED, 4);
  b.writeUInt16LE(r.flags, 6);
  b.writeUInt16LE(r.method, 8);
  b.writeUInt16LE(dos.time, 10);
  b.writeUInt16LE(dos.date, 12);
  b.writeUInt32LE(zeroed ? 0 : w.crc32, 14);
  // 4.5.3: with a zip64 extra in a local header, both sizes live in the extra
  // and the 32-bit fields are 0xFFFFFFFF.
  const csize = zeroed ? 0 : w.compressedSize;
  const usize = zeroed ? 0 : w.uncompressedSize;
  b.writeUInt32LE(r.zip64Local ? MAX32 : csize, 18);
  b.writeUInt32LE(r.zip64Local ? MAX32 : usize, 22);
  b.writeUInt16LE(r.nameBytes.length, 26);
  b.writeUInt16LE(extraLen, 28);
  r.nameBytes.copy(b, 30);
  if (r.zip64Local) {
    let p = 30 + r.nameBytes.length;
    p = b.writeUInt16LE(0x0001, p);
    p = b.writeUInt16LE(16, p);
    p = b.writeBigUInt64LE(BigInt(usize), p); // order: uncompressed, then compressed
    b.writeBigUInt64LE(BigInt(csize), p);
  }
  return b;
}

function dataDescriptor(r: EntryRecord): Buffer {
  // 4.3.9: sizes are 8 bytes when the local header has a zip64 extra.
  const w = r.written;
  const b = Buffer.alloc(r.zip64Local ? 24 : 16);
  b.writeUInt32LE(0x08074b50, 0); // optional signature, but Go and most writers emit it
  b.writeUInt32LE(w.crc32, 4);
  if (r.zip64Local) {
    b.writeBigUInt64LE(BigInt(w.compressedSize), 8);
    b.writeBigUInt64LE(BigInt(w.uncompressedSize), 16);
  } else {
    b.writeUInt32LE(w.compressedSize, 8);
    b.writeUInt32LE(w.uncompressedSize, 12);
  }
  return b;
}

function centralHeader(r: EntryRecord, dos: Dos, force: boolean): Buffer {
  const w = r.written;
  // 4.5.3: only the fields that overflow (are 0xFFFFFFFF) appear in the zip64
  // extra, in this fixed order. "force" makes every one of them overflow.
  const big = (n: number) => force || n >= MAX32;
  const zip64Values = [w.uncompressedSize, w.compressedSize, w.localHeaderOffset].filter(big);
  const extraLen = zip64Values.length > 0 ? 4 + 8 * zip64Values.length : 0;
  const b = Buffer.alloc(46 + r.nameBytes.length + extraLen);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(VERSION_MADE_BY, 4);
  b.writeUInt16LE(r.zip64Local || extraLen > 0 ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED, 6);
  b.writeUInt16LE(r.flags, 8);
  b.writeUInt16LE(r.method, 10);
  b.writeUInt16LE(dos.time, 12);
  b.writeUInt16LE(dos.date, 14);
  b.writeUInt32LE(w.crc32, 16);
  b.writeUInt32LE(big(w.compressedSize) ? MAX32 : w.compressedSize, 20);
  b.writeUInt32LE(big(w.uncompressedSize) ? MAX32 : w.uncompressedSize, 24);
  b.writeUInt16LE(r.nameBytes.length, 28);
  b.writeUInt16LE(extraLen, 30);
  // 32 comment length, 34 disk number start, 36 internal attributes: all 0
  b.writeUInt32LE(r.externalAttrs, 38);
  b.writeUInt32LE(big(w.localHeaderOffset) ? MAX32 : w.localHeaderOffset, 42);
  r.nameBytes.copy(b, 46);
  if (extraLen > 0) {
    let p = 46 + r.nameBytes.length;
    p = b.writeUInt16LE(0x0001, p);
    p = b.writeUInt16LE(8 * zip64Values.length, p);
    for (const v of zip64Values) p = b.writeBigUInt64LE(BigInt(v), p);
  }
  return b;
}

async function writeEnd(
  out: Output,
  count: number,
  cdOffset: number,
  cdSize: number,
  force: boolean,
): Promise<void> {
  // A count of exactly 0xFFFF already means "see the zip64 record" (4.4.21).
  const zip64 = force || count >= MAX16 || cdSize >= MAX32 || cdOffset >= MAX32;
  if (zip64) {
    const zip64EocdOffset = out.pos;
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4); // size of the rest of the record (4.3.14.1)
    rec.writeUInt16LE(VERSION_MADE_BY, 12);
    rec.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
    // 16 this disk, 20 disk with the central directory: 0
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    await out.append(rec);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    // 4 disk with the zip64 EOCD: 0
    locator.writeBigUInt64LE(BigInt(zip64EocdOffset), 8);
    locator.writeUInt32LE(1, 16); // total number of disks
    await out.append(locator);
  }
  // Overflowing fields are set to their maximum, which tells readers to use the
  // zip64 record. With "force" all of them are, so readers must use it.
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  // 4 this disk, 6 disk with the central directory: 0
  const count16 = force || count >= MAX16 ? MAX16 : count;
  eocd.writeUInt16LE(count16, 8);
  eocd.writeUInt16LE(count16, 10);
  eocd.writeUInt32LE(force || cdSize >= MAX32 ? MAX32 : cdSize, 12);
  eocd.writeUInt32LE(force || cdOffset >= MAX32 ? MAX32 : cdOffset, 16);
  // 20 comment length: 0
  await out.append(eocd);
}

/** MS-DOS date/time (4.4.6), from UTC fields so the bytes do not depend on the machine's time zone. */
function dosDateTime(d: Date): Dos {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107); // representable range
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) hash.update(chunk);
  return hash.digest("hex");
}
