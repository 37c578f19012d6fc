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

/** The run could not do what was asked (GitLab refused, a job is missing, an archive is hostile). Exit code 1. */
export class RunError extends Error {
  override name = "RunError";
  readonly exitCode = 1;
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(hint ? `${message}\n  hint: ${hint}` : message, options);
  }
}
