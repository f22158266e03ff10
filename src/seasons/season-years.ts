/** "2024", "2024-25" or "2023-2024": the shapes a season's `year` may take. */
export const SEASON_YEAR_PATTERN = /^\d{4}(-(\d{2}|\d{4}))?$/;
export const FOUR_DIGIT_YEAR_PATTERN = /^\d{4}$/;

export interface SeasonYears {
  firstYear: string;
  secondYear: string | null;
}

/**
 * The first and second calendar years of a season, as the original's scraper stores them:
 * "2024-25" → 2024 / 2025, "2023-2024" → 2023 / 2024, "2024" → 2024 / null. A two-digit end
 * year belongs to the century that puts it after the start ("1999-00" → 2000).
 * Expects a `year` that matches SEASON_YEAR_PATTERN.
 */
export function deriveSeasonYears(year: string): SeasonYears {
  const [first, second] = year.split('-');
  if (second === undefined) return { firstYear: first, secondYear: null };
  if (second.length === 4) return { firstYear: first, secondYear: second };
  const start = Number(first);
  let end = Math.floor(start / 100) * 100 + Number(second);
  if (end < start) end += 100;
  return { firstYear: first, secondYear: String(end).padStart(4, '0') };
}
