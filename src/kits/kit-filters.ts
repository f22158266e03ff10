import { InvalidRequestError } from '../common/errors/domain-errors';

/** The reference's colour filter values (exact case); also the names the migration seeds. */
export const AVAILABLE_COLORS = [
  'White',
  'Red',
  'Blue',
  'Black',
  'Yellow',
  'Green',
  'Sky blue',
  'Navy',
  'Orange',
  'Gray',
  'Claret',
  'Purple',
  'Pink',
  'Brown',
  'Gold',
  'Silver',
  'Off-white',
] as const;

/** The reference's design filter values (exact case). */
export const AVAILABLE_DESIGNS = [
  'Plain',
  'Stripes',
  'Graphic',
  'Chest band',
  'Contrasting sleeves',
  'Pinstripes',
  'Hoops',
  'Single stripe',
  'Half-and-half',
  'Sash',
  'Chevron',
  'Checkers',
  'Gradient',
  'Diagonal',
  'Cross',
  'Quarters',
] as const;

export type KitColorName = (typeof AVAILABLE_COLORS)[number];
export type KitDesign = (typeof AVAILABLE_DESIGNS)[number];

const COLOR_SET: ReadonlySet<string> = new Set(AVAILABLE_COLORS);
const DESIGN_SET: ReadonlySet<string> = new Set(AVAILABLE_DESIGNS);

/** The filters of `GET /api/kits` as the query DTO hands them over (already type-checked). */
export interface KitListFilterInput {
  club?: number;
  season?: number;
  country?: string;
  primary_color?: string;
  secondary_color?: string[];
  design?: string;
  year?: number;
  first_year?: number;
  second_year?: number;
}

/** Filters checked against the fixed value lists, ready for the repository. */
export interface KitListFilter {
  clubId?: number;
  seasonId?: number;
  country?: string;
  primaryColor?: KitColorName;
  /** Distinct names; a kit must carry every one of them among its secondary colours. */
  secondaryColors?: KitColorName[];
  design?: KitDesign;
  /** Season years are strings in the schema (as in the original), so the filters are too. */
  year?: string;
  firstYear?: string;
  secondYear?: string;
}

function isColor(value: string): value is KitColorName {
  return COLOR_SET.has(value);
}

function isDesign(value: string): value is KitDesign {
  return DESIGN_SET.has(value);
}

/**
 * Checks colour and design names against the fixed lists, answering the reference's 400
 * messages. Repeated secondary colours are collapsed: the reference asked for as many colour
 * rows as values given, so `?secondary_color=White&secondary_color=White` found nothing; here it
 * means the same as one `White`.
 */
export function resolveKitFilters(input: KitListFilterInput): KitListFilter {
  const filter: KitListFilter = {
    clubId: input.club,
    seasonId: input.season,
    country: input.country,
    year: input.year === undefined ? undefined : String(input.year),
    firstYear: input.first_year === undefined ? undefined : String(input.first_year),
    secondYear: input.second_year === undefined ? undefined : String(input.second_year),
  };
  if (input.primary_color !== undefined) {
    if (!isColor(input.primary_color)) {
      throw new InvalidRequestError(
        `Invalid primary_color '${input.primary_color}'. Available options: ${AVAILABLE_COLORS.join(', ')}`,
        'invalid_filter',
      );
    }
    filter.primaryColor = input.primary_color;
  }
  if (input.secondary_color !== undefined && input.secondary_color.length > 0) {
    const distinct = [...new Set(input.secondary_color)];
    const invalid = distinct.filter((name) => !isColor(name));
    if (invalid.length > 0) {
      throw new InvalidRequestError(
        `Invalid secondary_color(s): ${invalid.join(', ')}. Available options: ${AVAILABLE_COLORS.join(', ')}`,
        'invalid_filter',
      );
    }
    filter.secondaryColors = distinct.filter(isColor);
  }
  if (input.design !== undefined) {
    if (!isDesign(input.design)) {
      throw new InvalidRequestError(
        `Invalid design '${input.design}'. Available options: ${AVAILABLE_DESIGNS.join(', ')}`,
        'invalid_filter',
      );
    }
    filter.design = input.design;
  }
  return filter;
}

/**
 * The key values of a kit list request, from the checked filters: so an unknown colour or design
 * is refused (400) before the cache is asked, and equal requests share one entry. Every filter
 * is present, `null` when not given; secondary colours are sorted since their order does not
 * change the answer.
 */
export function kitListKey(input: KitListFilterInput): Record<string, unknown> {
  const filter = resolveKitFilters(input);
  return {
    club: filter.clubId ?? null,
    season: filter.seasonId ?? null,
    country: filter.country ?? null,
    primary_color: filter.primaryColor ?? null,
    secondary_color: filter.secondaryColors ? [...filter.secondaryColors].sort() : null,
    design: filter.design ?? null,
    year: filter.year ?? null,
    first_year: filter.firstYear ?? null,
    second_year: filter.secondYear ?? null,
  };
}
