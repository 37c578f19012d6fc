/** Text helpers with no knowledge of the domain. */

/** Names close to `wanted`: the same name in another case or folder, or a few typos away. */
export function nearest(names: string[], wanted: string, most = 5): string[] {
  const base = (n: string) => n.slice(n.lastIndexOf("/") + 1).toLowerCase();
  const scored = names
    .filter((n) => !n.endsWith("/"))
    .map((n) => {
      if (n.toLowerCase() === wanted.toLowerCase()) return { n, score: 0 };
      if (base(n) === base(wanted)) return { n, score: 1 };
      return { n, score: 1 + distance(n.toLowerCase(), wanted.toLowerCase()) };
    })
    .filter((x) => x.score <= 4)
    .sort((a, b) => a.score - b.score || a.n.localeCompare(b.n));
  return scored.slice(0, most).map((x) => x.n);
}

/** Levenshtein distance, row by row. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length] ?? 0;
}
