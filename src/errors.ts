/** Errors the tool reports to its user, each with the exit code a face should use. */

/** A bad input: nothing was requested, written or deleted. Exit code 2. */
export class InputError extends Error {
  override name = "InputError";
  readonly exitCode = 2;
  constructor(
    /** The input's name (kebab-case, as in action.yml and the CLI). */
    readonly input: string,
    message: string,
  ) {
    super(`input "${input}": ${message}`);
  }
}

/**
 * How a face spells a setting in its hints: `--wait` on the command line, `wait: true` in a
 * GitHub workflow's `with:`, `wait: true` with snake_case names in a GitLab component or step.
 */
export type Spelling = "cli" | "github" | "gitlab";

const SETTING = /\u27ea([a-z-]+)(?:=([^\u27eb]*))?\u27eb/g;

/**
 * A setting named in a message, spelled by each face its own way when the message is shown:
 * `setting("wait", "true")`, `setting("max-files")`.
 */
export const setting = (input: string, value?: string) =>
  `\u27ea${input}${value === undefined ? "" : `=${value}`}\u27eb`;

/** A text with its settings spelled the face's way. */
export function spell(text: string, as: Spelling): string {
  return text.replace(SETTING, (_, input: string, value: string | undefined) => {
    if (as === "cli")
      return value === undefined || value === "true" ? `--${input}` : `--${input} ${value}`;
    const name = as === "gitlab" ? input.replace(/-/g, "_") : input;
    return value === undefined ? `\`${name}\`` : `\`${name}: ${value}\``;
  });
}

/** The run could not do what was asked (GitLab refused, a job is missing, an archive is hostile). Exit code 1. */
export class RunError extends Error {
  override name = "RunError";
  readonly exitCode = 1;
  constructor(
    /** What happened, without the hint. */
    readonly summary: string,
    /** What the user can do about it (settings in it are spelled by the face). */
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(spell(hint ? `${summary}\n  hint: ${hint}` : summary, "github"), options);
  }
}

/** The run was stopped from outside (a signal) or by its own `timeout`. Exit code 1. */
export class Cancelled extends RunError {
  override name = "Cancelled";
}
