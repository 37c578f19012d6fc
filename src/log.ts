/** How the core talks to its user; each face decides where it goes (stderr, job log, workflow commands). */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  /** Details for troubleshooting; faces show them only when asked (--verbose, CI_DEBUG_TRACE, RUNNER_DEBUG). */
  debug(message: string): void;
  /** A titled, collapsible part of the log. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
