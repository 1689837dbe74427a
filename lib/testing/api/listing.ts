import { FilterError, parseFilter } from './filter';

/**
 * A list as Fatture in Cloud answers it: filtered by `q`, sorted by `sort`
 * (comma-separated fields, `-` for descending), cut to `fields` or a
 * `fieldset`, and paginated (`page`, `per_page` 1 to 100, default 5). A page
 * past the last one is empty, as Laravel's paginator gives it, so a "page
 * until empty" loop ends.
 */

export type Item = Readonly<Record<string, unknown>>;

export class ListingError extends Error {}

export interface ListingRules {
  /** The fields of the `basic` fieldset. */
  basic: readonly string[];
}

/** What `fields` or `fieldset` keeps of each record; every field when neither is given. */
export function projection(query: URLSearchParams, rules: ListingRules): (record: Item) => Item {
  const fields = query.get('fields');
  const fieldset = query.get('fieldset');
  if (fieldset !== null && !['basic', 'detailed', 'fic_view'].includes(fieldset)) throw new ListingError('fieldset must be basic, detailed or fic_view');
  const kept = fields ? fields.split(',').map((field) => field.trim()).filter(Boolean) : fieldset === 'basic' ? rules.basic : undefined;
  if (!kept) return (record) => record;
  return (record) => Object.fromEntries(kept.filter((field) => field in record).map((field) => [field, record[field]]));
}

export function listPage(records: readonly Item[], query: URLSearchParams, path: string, rules: ListingRules): Record<string, unknown> {
  const filtered = matching(records, query.get('q'));
  const sorted = sortedBy(filtered, query.get('sort'));
  const perPage = boundedInteger(query.get('per_page'), 5, 1, 100);
  const page = boundedInteger(query.get('page'), 1, 1, Number.MAX_SAFE_INTEGER);
  const lastPage = Math.max(1, Math.ceil(sorted.length / perPage));
  const from = (page - 1) * perPage;
  const data = sorted.slice(from, from + perPage).map(projection(query, rules));
  const pageURL = (number: number): string => `${path}?page=${number}&per_page=${perPage}`;
  return {
    current_page: page,
    data,
    first_page_url: pageURL(1),
    from: data.length ? from + 1 : null,
    last_page: lastPage,
    last_page_url: pageURL(lastPage),
    next_page_url: page < lastPage ? pageURL(page + 1) : null,
    path,
    per_page: perPage,
    prev_page_url: page > 1 ? pageURL(page - 1) : null,
    to: data.length ? from + data.length : null,
    total: sorted.length,
  };
}

function matching(records: readonly Item[], q: string | null): readonly Item[] {
  if (q === null || q.trim() === '') return records;
  try {
    const predicate = parseFilter(q);
    return records.filter(predicate);
  } catch (error) {
    if (error instanceof FilterError) throw new ListingError(error.message);
    throw error;
  }
}

function sortedBy(records: readonly Item[], sort: string | null): readonly Item[] {
  if (sort === null || sort.trim() === '') return records;
  const keys = sort.split(',').map((key) => key.trim()).filter(Boolean).map((key) => (key.startsWith('-') ? { field: key.slice(1), direction: -1 } : { field: key, direction: 1 }));
  return [...records].sort((a, b) => {
    for (const { field, direction } of keys) {
      const order = compareValues(a[field], b[field]);
      if (order !== 0) return order * direction;
    }
    return 0;
  });
}

/** Missing values first, numbers as numbers, the rest as text without case. */
function compareValues(a: unknown, b: unknown): number {
  const missingA = a === null || a === undefined;
  const missingB = b === null || b === undefined;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return JSON.stringify(a).toLowerCase().localeCompare(JSON.stringify(b).toLowerCase());
}

/** Out of bounds is brought within them, as Fatture in Cloud's paginator does; anything else is the default. */
function boundedInteger(value: string | null, fallback: number, min: number, max: number): number {
  const number = value === null ? fallback : Number(value);
  return Number.isInteger(number) ? Math.min(max, Math.max(min, number)) : fallback;
}
