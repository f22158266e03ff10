/**
 * The season search of the reference (§2.11): which seasons are candidates for a keyword,
 * depending on its shape, and how candidates are ranked. Pure, so the rules are unit-tested
 * apart from SQL; the repository turns the conditions into one query.
 */

export type SeasonField = 'year' | 'first_year' | 'second_year';

/** Exact string comparisons, except `containsIgnoringCase`. */
export type SeasonMatch = 'equals' | 'startsWith' | 'endsWith' | 'contains' | 'containsIgnoringCase';

export interface SeasonCondition {
  field: SeasonField;
  match: SeasonMatch;
  value: string;
}

/** How many seasons the query fetches (by year, newest first) before ranking. */
export const SEASON_SEARCH_CANDIDATES = 20;
export const SEASON_SEARCH_LIMIT = 10;

const DIGITS = /^[0-9]+$/;

const condition = (field: SeasonField, match: SeasonMatch, value: string): SeasonCondition => ({
  field,
  match,
  value,
});

/**
 * The candidate filter for a trimmed, non-empty keyword: a season is a candidate when any of
 * the returned conditions holds.
 */
export function seasonCandidateConditions(keyword: string): SeasonCondition[] {
  if (keyword.endsWith('-')) {
    const prefix = keyword.slice(0, -1);
    if (prefix.length === 4 && DIGITS.test(prefix)) {
      return [condition('first_year', 'equals', prefix), condition('year', 'startsWith', keyword)];
    }
    return [condition('year', 'startsWith', keyword), condition('first_year', 'startsWith', prefix)];
  }
  if (keyword.includes('-')) {
    const parts = keyword.split('-');
    if (parts.length === 2 && DIGITS.test(parts[0]) && DIGITS.test(parts[1])) {
      return [condition('year', 'equals', keyword)];
    }
    if (parts.length === 2) {
      return [condition('year', 'equals', keyword), condition('year', 'startsWith', keyword)];
    }
    return [condition('year', 'equals', keyword)];
  }
  if (DIGITS.test(keyword) && keyword.length === 4) {
    return [
      condition('year', 'equals', keyword),
      condition('first_year', 'equals', keyword),
      condition('second_year', 'equals', keyword),
      condition('first_year', 'contains', keyword),
      condition('second_year', 'contains', keyword),
    ];
  }
  if (DIGITS.test(keyword) && keyword.length === 2) {
    return [
      condition('year', 'equals', keyword),
      condition('first_year', 'endsWith', keyword),
      condition('second_year', 'endsWith', keyword),
      condition('year', 'contains', keyword),
      condition('first_year', 'contains', keyword),
      condition('second_year', 'contains', keyword),
    ];
  }
  return [
    condition('year', 'containsIgnoringCase', keyword),
    condition('first_year', 'containsIgnoringCase', keyword),
    condition('second_year', 'containsIgnoringCase', keyword),
  ];
}

export interface SeasonYearsRow {
  year: string;
  firstYear: string;
  secondYear: string | null;
}

/**
 * 1 = the year is the keyword, 2 = the first year is, 3 = the second year is (for a two-digit
 * keyword: the first / second year ends with it), 4 = the keyword is part of the first or
 * second year, 5 = anything else (every result of a "YYYY-" search, for instance).
 */
export function seasonSearchPriority(keyword: string, season: SeasonYearsRow): number {
  const second = season.secondYear ?? '';
  if (season.year === keyword) return 1;
  if (season.firstYear === keyword) return 2;
  if (season.secondYear === keyword) return 3;
  if (keyword.length === 2 && DIGITS.test(keyword)) {
    if (season.firstYear.endsWith(keyword)) return 2;
    if (second.endsWith(keyword)) return 3;
  }
  if (season.firstYear.includes(keyword) || second.includes(keyword)) return 4;
  return 5;
}

/** Code-point order, as the original's Python string comparison (not locale order). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Candidates (fetched newest first) re-sorted by (priority, year ascending), cut to `limit`. */
export function rankSeasonCandidates<T extends SeasonYearsRow>(
  keyword: string,
  candidates: readonly T[],
  limit = SEASON_SEARCH_LIMIT,
): T[] {
  return candidates
    .map((season) => ({ season, priority: seasonSearchPriority(keyword, season) }))
    .sort((a, b) => a.priority - b.priority || compareStrings(a.season.year, b.season.year))
    .map(({ season }) => season)
    .slice(0, limit);
}
