/**
 * Where each entry's bytes lie in the archive, checked the way Info-ZIP's unzip checks them: an
 * entry's local header must agree with its central record (name, method, and sizes and CRC when
 * the header carries them), and no two entries may share bytes. Central records pointing into the
 * same local data are the overlap zip bomb (CVE-2019-13232's class): a few KB that extract to
 * gigabytes, each entry small enough to pass a per-entry ratio limit.
 */
import type yauzl from "yauzl";

/** What an entry's local header says (the fields checked against its central record). */
export interface LocalHeader {
  fileName: Buffer;
  generalPurposeBitFlag: number;
  compressionMethod: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the entry's data starts in the archive. */
  fileDataStart: number;
}

const LOCAL_SIGNATURE = 0x04034b50;

/**
 * Parses the local header at the start of `bytes` (read from `offset`); undefined when `bytes`
 * is too short to hold its name and extra field (then `needed` says how many bytes it takes).
 */
export function parseLocalHeader(
  bytes: Buffer,
  offset: number,
): { header: LocalHeader } | { needed: number } {
  if (bytes.length < 30) return { needed: 30 };
  const signature = bytes.readUInt32LE(0);
  if (signature !== LOCAL_SIGNATURE)
    throw new Error(`invalid local file header signature: 0x${signature.toString(16)}`);
  const nameLength = bytes.readUInt16LE(26);
  const extraLength = bytes.readUInt16LE(28);
  if (bytes.length < 30 + nameLength) return { needed: 30 + nameLength + extraLength };
  return {
    header: {
      fileName: bytes.subarray(30, 30 + nameLength),
      generalPurposeBitFlag: bytes.readUInt16LE(6),
      compressionMethod: bytes.readUInt16LE(8),
      crc32: bytes.readUInt32LE(14),
      compressedSize: bytes.readUInt32LE(18),
      uncompressedSize: bytes.readUInt32LE(22),
      fileDataStart: offset + 30 + nameLength + extraLength,
    },
  };
}

/** The bytes of one entry: its local header, name, extra field and data. */
interface Span {
  start: number;
  end: number;
  name: string;
}

const DATA_DESCRIPTOR = 0x08;
const ZIP64_SIZE = 0xffffffff;

export class Layout {
  /** Spans seen so far, sorted by start. */
  readonly #spans: Span[] = [];

  /** Why the entry is refused, if it is; otherwise its span is recorded. */
  check(entry: yauzl.Entry, local: LocalHeader): string | undefined {
    if (!local.fileName.equals(entry.fileNameRaw))
      return `has a local header that names another file (${JSON.stringify(local.fileName.toString("utf8"))}): invalid zip file`;
    if (local.compressionMethod !== entry.compressionMethod)
      return "has a local header whose compression method differs from its central record: invalid zip file";
    if ((local.generalPurposeBitFlag & DATA_DESCRIPTOR) === 0) {
      const differs = (here: number, there: number) => here !== ZIP64_SIZE && here !== there;
      if (
        local.crc32 !== entry.crc32 ||
        differs(local.compressedSize, entry.compressedSize) ||
        differs(local.uncompressedSize, entry.uncompressedSize)
      )
        return "has a local header whose sizes or CRC-32 differ from its central record: invalid zip file";
    }
    const span = {
      start: entry.relativeOffsetOfLocalHeader,
      end: local.fileDataStart + entry.compressedSize,
      name: entry.fileName,
    };
    // Where it goes among the spans, by start (usually at the end: entries come in order).
    const last = this.#spans.at(-1);
    const i =
      !last || last.start <= span.start ? this.#spans.length : search(this.#spans, span.start);
    const before = this.#spans[i - 1];
    const after = this.#spans[i];
    const other =
      before && before.end > span.start
        ? before
        : after && after.start < span.end
          ? after
          : undefined;
    if (other)
      return `shares its bytes with entry ${JSON.stringify(other.name)}: invalid zip file with overlapped components (possible zip bomb)`;
    this.#spans.splice(i, 0, span);
    return undefined;
  }
}

/** The index of the first span starting after `start`. */
function search(spans: Span[], start: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid]?.start ?? 0) <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The bytes at an archive's end that hold its end-of-central-directory record whatever its
 * comment (up to 65,535 bytes), with the zip64 locator before it: what yauzl reads first.
 */
export const END_BYTES = 20 + 22 + 0xffff;

const END_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_END_SIGNATURE = 0x06064b50;

/**
 * Where the central directory starts, read from the archive's tail (`tail` holds its bytes from
 * `tailStart` to the end): the end-of-central-directory record, and its zip64 record when the
 * 32-bit fields are saturated. Undefined when the tail does not tell (no record, or a zip64
 * record outside the tail). Only a hint of which bytes to fetch early: yauzl reads and checks
 * the records itself when it opens the archive.
 */
export function centralDirectoryStart(tail: Buffer, tailStart: number): number | undefined {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== END_SIGNATURE) continue;
    // The record's comment runs to the end of the archive: a signature elsewhere is data.
    if (i + 22 + tail.readUInt16LE(i + 20) !== tail.length) continue;
    const offset = tail.readUInt32LE(i + 16);
    if (offset !== ZIP64_SIZE) return offset;
    const locator = i - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) return undefined;
    const record = Number(tail.readBigUInt64LE(locator + 8)) - tailStart;
    if (record < 0 || record + 56 > tail.length) return undefined;
    if (tail.readUInt32LE(record) !== ZIP64_END_SIGNATURE) return undefined;
    return Number(tail.readBigUInt64LE(record + 48));
  }
  return undefined;
}
