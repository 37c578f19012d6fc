/** How a face turns a failure into a message and an exit code. */
import { InputError, RunError } from "../errors.ts";

export interface Failure {
  message: string;
  exitCode: number;
  /** What the user can do about it. */
  hint?: string;
  /** The input at fault, for a bad input. */
  input?: string;
  stack?: string;
}

export function failure(e: unknown): Failure {
  if (e instanceof InputError) return { message: e.message, exitCode: e.exitCode, input: e.input };
  if (e instanceof RunError)
    return { message: e.message, exitCode: e.exitCode, ...(e.hint ? { hint: e.hint } : {}) };
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: `unexpected error: ${err.message}`, exitCode: 1, stack: err.stack };
}

/** A failure as the JSON a script parses: `{"error": {"message", "hint", "exit_code", "input"}}`. */
export function errorJson(f: Failure): Record<string, string | number> {
  return {
    message: f.message,
    ...(f.hint ? { hint: f.hint } : {}),
    exit_code: f.exitCode,
    ...(f.input ? { input: f.input } : {}),
  };
}
