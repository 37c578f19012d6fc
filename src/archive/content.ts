/**
 * An entry's content read whole: inflated when deflated, and checked against the sizes and CRC-32
 * its central record declares (extraction and listing hold an entry to the same checks, and say
 * the same of a broken one).
 */
import { crc32, inflateRaw, inflateRawSync } from "node:zlib";
import { promisify } from "node:util";

/** What an entry's central record says its content is. */
export interface Declared {
  /** 0 stored, 8 deflated (others are refused before their data is read). */
  method: number;
  /** Uncompressed size. */
  size: number;
  crc: number;
}

/** An entry whose CRC-32 does not match its central record. */
export class Corrupt extends Error {
  constructor() {
    super("is corrupt (its CRC-32 does not match)");
  }
}

const inflateRawAsync = promisify(inflateRaw);

/** Raw data below this size inflates faster in place than through the threadpool. */
const INFLATE_IN_PLACE = 16 * 1024;

/**
 * zlib's bounds for an entry of `size` bytes: a stream that would pass its declared size stops one
 * byte past it, and the output comes in one piece.
 */
const limitOf = (size: number) => ({
  maxOutputLength: Math.max(size + 1, 1),
  chunkSize: Math.max(size + 1, 64),
});

/** The size check, and zlib's "past the limit" said as the size check says it. */
function sized(data: Buffer, size: number): Buffer {
  if (data.length > size) throw new Error("too many bytes in the stream");
  if (data.length < size) throw new Error("not enough bytes in the stream");
  return data;
}

function tooLarge(e: unknown): never {
  if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
    throw new Error("too many bytes in the stream", { cause: e });
  throw e;
}

/** An entry's content, inflated on this thread; sizes checked, not the CRC-32. */
function contentSync(declared: Declared, raw: Buffer): Buffer {
  if (declared.method === 0) return sized(raw, declared.size);
  try {
    return sized(inflateRawSync(raw, limitOf(declared.size)), declared.size);
  } catch (e) {
    return tooLarge(e);
  }
}

/** An entry's content, inflated in the threadpool unless tiny; sizes checked, not the CRC-32. */
export async function content(declared: Declared, raw: Buffer): Promise<Buffer> {
  if (declared.method === 0 || raw.length < INFLATE_IN_PLACE) return contentSync(declared, raw);
  try {
    return sized(await inflateRawAsync(raw, limitOf(declared.size)), declared.size);
  } catch (e) {
    return tooLarge(e);
  }
}

/** Throws Corrupt when `data` is not what the central record's CRC-32 says. */
function checkCrc(declared: Declared, data: Buffer): void {
  if (crc32(data) !== declared.crc) throw new Corrupt();
}

/** An entry's content, inflated and checked against its record: sizes and CRC-32. */
export async function checkedContent(declared: Declared, raw: Buffer): Promise<Buffer> {
  const data = await content(declared, raw);
  checkCrc(declared, data);
  return data;
}
