/**
 * GitLab's offset pagination (`Gitlab::Pagination::OffsetPagination` and
 * `OffsetHeaderBuilder`): Kaminari's page/per_page, the X-* headers and Link, and the
 * count limit past which totals are not computed.
 */
import { ApiError } from "./auth.ts";

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;
/** Past this many rows GitLab does not count: X-Total, X-Total-Pages and rel="last" go. */
export const COUNT_LIMIT = 10_000;

export interface PageRequest {
  page: number;
  perPage: number;
}

/** Reads `page` and `per_page` the way Grape validates them; errors are collected by the caller. */
export function pageParams(query: URLSearchParams, errors: string[]): PageRequest {
  const read = (name: string, fallback: number): number => {
    const raw = query.get(name);
    if (raw === null || raw === "") return fallback;
    if (!/^[+-]?\d+$/.test(raw.trim())) {
      errors.push(`${name} is invalid`);
      return fallback;
    }
    return Number(raw);
  };
  const page = read("page", 1);
  let perPage = read("per_page", DEFAULT_PER_PAGE);
  if (perPage === 0) errors.push("per_page has a value not allowed");
  // Kaminari: max_per_page clamps; a page below 1 is page 1; a negative per_page is the default.
  if (perPage > MAX_PER_PAGE) perPage = MAX_PER_PAGE;
  if (perPage < 1) perPage = DEFAULT_PER_PAGE;
  return { page: Math.max(page, 1), perPage };
}

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/**
 * One page of `rows` with GitLab's headers. `pageUrl` rebuilds the request URL for another page
 * (same parameters, `page` and `per_page` replaced). Past `countLimit` rows the totals go.
 */
export function paginate<T>(
  rows: T[],
  req: PageRequest,
  pageUrl: (page: number) => string,
  countLimit = COUNT_LIMIT,
): Page<T> {
  const { page, perPage } = req;
  const items = rows.slice((page - 1) * perPage, page * perPage);
  const counted = rows.length <= countLimit;
  const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
  // Without a count GitLab asks for one row more than a page to know whether a next page exists.
  const hasNext = counted ? page < totalPages : rows.length > page * perPage;
  // Kaminari gives a page past the end neither a next nor a previous page.
  const outOfRange = items.length === 0 && page > 1;
  const next = hasNext && !outOfRange ? page + 1 : undefined;
  const prev = page > 1 && !outOfRange ? page - 1 : undefined;

  const links: string[] = [];
  if (prev !== undefined) links.push(`<${pageUrl(prev)}>; rel="prev"`);
  if (next !== undefined) links.push(`<${pageUrl(next)}>; rel="next"`);
  links.push(`<${pageUrl(1)}>; rel="first"`);
  if (counted) links.push(`<${pageUrl(totalPages)}>; rel="last"`);

  const headers: Record<string, string> = {
    "X-Per-Page": String(perPage),
    "X-Page": String(page),
    "X-Next-Page": next === undefined ? "" : String(next),
    "X-Prev-Page": prev === undefined ? "" : String(prev),
    Link: links.join(", "),
  };
  if (counted) {
    headers["X-Total"] = String(rows.length);
    headers["X-Total-Pages"] = String(totalPages);
  }
  return { items, headers };
}

/** Throws Grape's 400 when parameter validation found problems. */
export function rejectInvalid(errors: string[]): void {
  if (errors.length > 0) throw new ApiError(400, { error: errors.join(", ") });
}
