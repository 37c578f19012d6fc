/**
 * The temporary files and staging folders that exist right now, so that a run stopped from
 * outside (SIGTERM from a cancelled CI job, SIGINT) can remove them on its way out even when the
 * work that made them cannot unwind in time. Whoever creates one registers it and unregisters it
 * once it is gone or has become a result.
 */
import { rmSync } from "node:fs";

const pending = new Set<string>();

export const registerTemporary = (path: string): void => void pending.add(path);
export const unregisterTemporary = (path: string): void => void pending.delete(path);

/** Removes every registered path, synchronously (safe in an exit path). */
export function removeTemporariesSync(): void {
  for (const path of pending) {
    rmSync(path, { recursive: true, force: true });
    pending.delete(path);
  }
}
