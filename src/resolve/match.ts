/**
 * Job names as users write them: exact (`build`), glob (`build-*`), or `/regex/flags`. GitLab
 * names parallel jobs `test 1/3` and matrix jobs `build: [linux, amd64]`; a pattern also matches
 * such a job by its base name (`test`, `build`).
 */
export type NamePattern =
  | { kind: "exact"; text: string }
  | { kind: "glob"; text: string; re: RegExp }
  | { kind: "regex"; text: string; re: RegExp };

/** `test 1/3` -> `test`; `build: [linux, amd64]` -> `build`; other names unchanged. */
export function baseName(name: string): string {
  return name.replace(/ \d+\/\d+$/, "").replace(/: \[.*\]$/, "");
}

/** Parses one pattern; throws a message (for the `job` input) when it cannot be used. */
export function parsePattern(text: string): NamePattern {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(text);
  if (regex) {
    const [, source = "", flags = ""] = regex;
    if (!/^i?$/.test(flags))
      throw new Error(`${JSON.stringify(text)}: the only regex flag accepted is i`);
    try {
      return { kind: "regex", text, re: new RegExp(source, flags) };
    } catch (e) {
      throw new Error(
        `${JSON.stringify(text)} is not a valid regular expression: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
  if (/[*?]/.test(text)) {
    const source = text
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    return { kind: "glob", text, re: new RegExp(`^${source}$`) };
  }
  return { kind: "exact", text };
}

/**
 * Splits the `job` input: one pattern a line, or several on a line separated by commas — but
 * not the commas inside a matrix name's brackets or inside a /regex/.
 */
export function splitPatterns(input: string): string[] {
  const out: string[] = [];
  for (const line of input.split(/\r?\n/)) {
    let depth = 0;
    let current = "";
    const inRegex = line.trim().startsWith("/");
    for (const ch of line) {
      if (ch === "[") depth++;
      if (ch === "]") depth = Math.max(0, depth - 1);
      if (ch === "," && depth === 0 && !inRegex) {
        out.push(current);
        current = "";
      } else current += ch;
    }
    out.push(current);
  }
  return out.map((p) => p.trim()).filter((p) => p !== "");
}

export function matches(pattern: NamePattern, name: string): boolean {
  switch (pattern.kind) {
    case "exact":
      return name === pattern.text || baseName(name) === pattern.text;
    case "glob":
    case "regex":
      return pattern.re.test(name) || pattern.re.test(baseName(name));
  }
}

/**
 * The names a pattern selects among `names`. An exact pattern that equals some job's full name
 * selects that name only (a job named `test` beats the parallel `test 1/2`).
 */
export function select(pattern: NamePattern, names: Iterable<string>): string[] {
  const all = [...new Set(names)];
  if (pattern.kind === "exact" && all.includes(pattern.text)) return [pattern.text];
  return all.filter((name) => matches(pattern, name));
}
