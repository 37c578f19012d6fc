/** How a face turns a failure into a message and an exit code. */
import { InputError, RunError, type Spelling, spell } from "../errors.ts";

export interface Failure {
  message: string;
  exitCode: number;
  /** What the user can do about it. */
  hint?: string;
  /** The input at fault, for a bad input. */
  input?: string;
  stack?: string;
}

/** A failure as the face shows it, settings in hints spelled its way. */
export function failure(e: unknown, as: Spelling): Failure {
  if (e instanceof InputError) return { message: e.message, exitCode: e.exitCode, input: e.input };
  if (e instanceof RunError) {
    const hint = e.hint === undefined ? undefined : spell(e.hint, as);
    return {
      message: hint ? `${e.summary}\n  hint: ${hint}` : e.summary,
      exitCode: e.exitCode,
      ...(hint ? { hint } : {}),
    };
  }
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
