/** How a face turns a failure into a message and an exit code. */
import { InputError, RunError } from "../errors.ts";

export function failure(e: unknown): { message: string; exitCode: number; stack?: string } {
  if (e instanceof InputError || e instanceof RunError)
    return { message: e.message, exitCode: e.exitCode };
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: `unexpected error: ${err.message}`, exitCode: 1, stack: err.stack };
}
