/**
 * The kit search of the reference (§2.12), as pure functions: year extraction, the name tiers
 * and the secondary-team test. The repository turns a plan into SQL; the service runs the tiers.
 */

/** Candidates read per tier before secondary teams are moved last. */
export const KIT_SEARCH_CANDIDATES = 20;
/** Results returned. */
export const KIT_SEARCH_LIMIT = 10;

// Python's `\b` on str is Unicode-aware: a letter or digit of any script is a word character.
const WORD_BEFORE = '(?<![\\p{L}\\p{N}_])';
const WORD_AFTER = '(?![\\p{L}\\p{N}_])';
const YEAR = new RegExp(`${WORD_BEFORE}(?:19|20)[0-9]{2}${WORD_AFTER}`, 'u');

export interface ExtractedYear {
  /** "2003", or null when the keyword names no year. */
  year: string | null;
  /** The keyword without every occurrence of the year's text, trimmed. */
  rest: string;
}

/** The first standalone 19xx/20xx in the keyword; every occurrence of that text is removed. */
export function extractYear(keyword: string): ExtractedYear {
  const match = YEAR.exec(keyword);
  if (!match) return { year: null, rest: keyword.trim() };
  return { year: match[0], rest: keyword.split(match[0]).join('').trim() };
}

const twoDigits = (n: number): string => String(n % 100).padStart(2, '0');

/** Season `year` values a year can mean: 2003 → "2003", "2002-03", "2003-04". */
export function seasonYearsFor(year: string): string[] {
  const y = Number(year);
  return [year, `${y - 1}-${twoDigits(y)}`, `${y}-${twoDigits(y + 1)}`];
}

/** Whitespace-separated terms longer than 2 characters (code points, as Python counts them). */
export function significantTerms(text: string): string[] {
  return text.split(/\s+/u).filter((term) => [...term].length > 2);
}

/**
 * One name tier: `all` needs every term in the kit name, `any` one of them. An `all` tier with
 * no terms has no condition and matches every (year-filtered) kit.
 */
export interface NameTier {
  mode: 'all' | 'any';
  terms: string[];
}

export interface KitSearchPlan {
  /** Season `year` values the kits must belong to, or null for any season. */
  seasonYears: string[] | null;
  /** Tried in order; the first that finds anything wins. */
  tiers: NameTier[];
}

/**
 * The reference's tiers: the whole remaining text; then every term > 2 characters (AND; with no
 * such term this matches every kit — the reference's behaviour, kept); then any such term (OR;
 * skipped when there is none). Tiers identical to an earlier one are dropped: they would only
 * repeat a query that found nothing.
 */
export function planKitSearch(keyword: string): KitSearchPlan {
  const { year, rest } = extractYear(keyword);
  const seasonYears = year === null ? null : seasonYearsFor(year);
  if (rest === '') return { seasonYears, tiers: [{ mode: 'all', terms: [] }] };
  const terms = significantTerms(rest);
  const candidates: NameTier[] = [
    { mode: 'all', terms: [rest] },
    { mode: 'all', terms },
    ...(terms.length > 0 ? [{ mode: 'any' as const, terms }] : []),
  ];
  const seen = new Set<string>();
  const tiers: NameTier[] = [];
  for (const tier of candidates) {
    // One term means the same under AND and OR.
    const key = JSON.stringify([tier.terms.length === 1 ? 'all' : tier.mode, tier.terms]);
    if (seen.has(key)) continue;
    seen.add(key);
    tiers.push(tier);
  }
  return { seasonYears, tiers };
}

const standalone = (words: string): RegExp => new RegExp(`${WORD_BEFORE}(?:${words})${WORD_AFTER}`, 'u');
const SECONDARY_TEAM_PATTERNS: readonly RegExp[] = [
  standalone('II|III'),
  standalone('B|C'),
  standalone('JONG'),
  standalone('U1[7-9]|U2[0-3]'),
  /YOUTH|LADIES|WOMEN|FEMENINO|FÉMINAS|FÉMININE|LADS|FRAUEN/u,
];

/** Reserve, youth and women's sides ("Barcelona B", "Ajax U19", "Arsenal Women"). */
export function isSecondaryTeam(clubName: string): boolean {
  const upper = clubName.toUpperCase();
  return SECONDARY_TEAM_PATTERNS.some((pattern) => pattern.test(upper));
}

/** Stable partition: first teams keep their order, then secondary teams keep theirs. */
export function secondaryTeamsLast<T>(items: readonly T[], clubName: (item: T) => string): T[] {
  const secondary = items.map((item) => isSecondaryTeam(clubName(item)));
  return [...items.filter((_, i) => !secondary[i]), ...items.filter((_, i) => secondary[i])];
}
