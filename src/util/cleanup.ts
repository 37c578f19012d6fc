/**
 * The temporary files and staging folders that exist right now, so that a run stopped from
 * outside (SIGTERM from a cancelled CI job, SIGINT) can remove them on its way out even when the
 * work that made them cannot unwind in time. Whoever creates one registers it and unregisters it
 * once it is gone or has become a result.
 */
import { rmSync } from "node:fs";

const pending = new Set<string>();
const writers = new Set<() => void>();

export const registerTemporary = (path: string): void => void pending.add(path);
export const unregisterTemporary = (path: string): void => void pending.delete(path);

/**
 * Registers what stops, synchronously, a thread that writes into a temporary folder (it could
 * otherwise create files there again after the folder is removed). Returns its unregistration.
 */
export function registerWriter(stop: () => void): () => void {
  writers.add(stop);
  return () => void writers.delete(stop);
}

/**
 * Removes every registered path, synchronously (safe in an exit path), once the threads writing
 * into them have stopped.
 */
export function removeTemporariesSync(): void {
  for (const stop of writers) {
    stop();
    writers.delete(stop);
  }
  for (const path of pending) {
    rmSync(path, { recursive: true, force: true });
    pending.delete(path);
  }
}
