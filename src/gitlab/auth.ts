/** GitLab tokens: which kind a token is, and the header GitLab wants it in. */

export interface Token {
  value: string;
  /** How GitLab wants it: job tokens as JOB-TOKEN, every other token as PRIVATE-TOKEN. */
  header: "PRIVATE-TOKEN" | "JOB-TOKEN";
  /** Where it came from, for messages: an input or a variable name. */
  source: string;
}

/**
 * A token as GitLab must receive it. A job token given through an input is still a job token:
 * it is the running job's own (`jobToken`), or says it is one (`glcbt-` prefix).
 */
export function tokenOf(value: string, source: string, jobToken: string | undefined): Token {
  const isJob = source === "CI_JOB_TOKEN" || value === jobToken || value.startsWith("glcbt-");
  return { value, header: isJob ? "JOB-TOKEN" : "PRIVATE-TOKEN", source };
}

export const isJobToken = (token: Token) => token.header === "JOB-TOKEN";
