/** Blocking file writes that finish what they start. */
import { writeSync } from "node:fs";

/**
 * Writes all of `bytes` to `fd` (a write may take fewer bytes than it was given), at `position`
 * when given, else at the file's offset.
 */
export function writeAll(fd: number, bytes: Buffer, position?: number): void {
  for (let at = 0; at < bytes.length;)
    at += writeSync(
      fd,
      bytes,
      at,
      bytes.length - at,
      position === undefined ? null : position + at,
    );
}
