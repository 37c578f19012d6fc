/**
 * The `paths` input: which entries of an archive to fetch. A path is matched exactly; `*` stands
 * for any characters but `/`, `**` for any characters, `?` for one; a path ending in `/` takes
 * everything below that folder.
 */
export function pathMatcher(patterns: string[]): (name: string) => boolean {
  const tests = patterns.map((p) => {
    if (p.endsWith("/")) return (name: string) => name.startsWith(p);
    if (!/[*?]/.test(p)) return (name: string) => name === p;
    const source = p
      .split(/(\*\*|\*|\?)/)
      .map((part) =>
        part === "**"
          ? ".*"
          : part === "*"
            ? "[^/]*"
            : part === "?"
              ? "[^/]"
              : part.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
      )
      .join("");
    const re = new RegExp(`^${source}$`);
    return (name: string) => re.test(name);
  });
  return (name) => tests.some((t) => t(name));
}

/** Why a path cannot name entries of an archive, if it cannot. */
export function badPath(path: string): string | undefined {
  const bare = path.endsWith("/") ? path.slice(0, -1) : path;
  if (
    bare === "" ||
    path.startsWith("/") ||
    path.includes("\0") ||
    bare.split("/").some((s) => s === "" || s === "." || s === "..")
  )
    return `${JSON.stringify(path)} is not a path inside an archive; give it relative, with forward slashes and no "." or ".." parts, e.g. dist/app.js, dist/*.js or dist/`;
  return undefined;
}
