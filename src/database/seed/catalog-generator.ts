// Over 300 lines: the generator's vocabulary tables and the one pass that draws a catalogue from
// them are read together; splitting the tables out would only scatter what a reader checks.
// `generateCatalog` and `buildClubsAndCompetitions` run just over 60 lines for the same reason:
// each is one sequence of draws from the seeded random stream, whose order fixes the catalogue a
// seed gives, and cutting them would hide that order.
import { DEFAULT_LOGO_URL } from '../../clubs/clubs.repository';
import { slugify } from '../../common/text/slugify';
import { KitTypeCategory } from '../../kit-types/kit-type.entity';
import { AVAILABLE_COLORS, AVAILABLE_DESIGNS, KitColorName, KitDesign } from '../../kits/kit-filters';
import { Random } from './random';
import {
  BRAND_SUFFIXES,
  BRAND_WORDS,
  CLUB_COLOR_WEIGHTS,
  CONTINENTAL_COMPETITIONS,
  COUNTRIES,
  Country,
  DESIGN_WEIGHTS,
  DIVISION_NAMES,
  GOALKEEPER_COLORS,
  NATIONAL_TEAM_COMPETITIONS,
  NATIONAL_TEAM_VARIANTS,
} from './vocabulary';

/**
 * A synthetic football-kit catalogue of any size, the same for the same options and seed: the
 * demo data and `cli seed` both come from here. It only describes rows (related rows by their
 * index in the catalogue's lists); `catalog-writer.ts` puts them in PostgreSQL.
 */

export interface CatalogOptions {
  kits: number;
  /** Any string; the same seed gives the same catalogue. */
  seed?: string;
  /** Default: one club per ten kits. */
  clubs?: number;
  /** Default: 8, growing slowly with the catalogue. */
  brands?: number;
  /**
   * Club seasons run from `firstSeasonYear` ("2019-20") to `lastSeasonYear` ("2024-25"); national
   * sides play the even single years in between ("2020"). Default: the 30 seasons up to 2024-25.
   */
  firstSeasonYear?: number;
  lastSeasonYear?: number;
}

export interface SeasonRow {
  year: string;
  firstYear: string;
  secondYear: string | null;
}

export interface KitTypeRow {
  name: string;
  category: KitTypeCategory;
  categoryOrder: number;
  orderPriority: number;
  isGoalkeeper: boolean;
}

export interface BrandRow {
  name: string;
  slug: string;
  logo: string | null;
  logoDark: string | null;
}

export interface CompetitionRow extends BrandRow {
  country: string | null;
}

export interface ClubRow extends CompetitionRow {
  idFka: number | null;
}

/** A kit; related rows are indexes into the catalogue's lists, colours are colour names. */
export interface KitRow {
  name: string;
  slug: string;
  sourceKitId: string;
  club: number;
  season: number;
  type: number;
  brand: number;
  competitions: number[];
  mainImgUrl: string;
  rating: number;
  webUpdated: Date;
  primaryColor: KitColorName;
  secondaryColors: KitColorName[];
  design: KitDesign;
}

export interface GeneratedCatalog {
  seed: string;
  seasons: readonly SeasonRow[];
  kitTypes: readonly KitTypeRow[];
  brands: readonly BrandRow[];
  competitions: readonly CompetitionRow[];
  clubs: readonly ClubRow[];
  kitCount: number;
  /** The kits, generated lazily; every call yields the same sequence. */
  kits(): Generator<KitRow>;
}

export const DEFAULT_SEED = 'fkapi';
const IMAGE_HOST = 'https://img.example.com';
const CLUBS_PER_LEAGUE = 18;

interface KitTypePlan extends KitTypeRow {
  /** How often a club has one in a season… */
  chance: number;
  /** …given that it has this one (a third kit comes after an away kit). */
  requires?: string;
}

const kitType = (
  name: string,
  category: KitTypeCategory,
  categoryOrder: number,
  orderPriority: number,
  isGoalkeeper: boolean,
  chance: number,
  requires?: string,
): KitTypePlan => ({ name, category, categoryOrder, orderPriority, isGoalkeeper, chance, requires });

/** The usual kit types, categorised by the original's rules (the original FKApi's rules, `kit-types/kit-type-categories.ts`). */
const KIT_TYPES: readonly KitTypePlan[] = [
  kitType('Home', 'match', 1, 1, false, 1),
  kitType('Away', 'match', 1, 2, false, 0.95),
  kitType('Third', 'match', 1, 3, false, 0.5, 'Away'),
  kitType('GK Home', 'match', 1, 1, true, 0.45),
  kitType('GK Away', 'match', 1, 2, true, 0.55, 'GK Home'),
  kitType('Training', 'training', 4, 999, false, 0.2),
  kitType('Pre-Match', 'prematch', 2, 999, false, 0.15),
  kitType('Rain Jacket', 'jacket', 6, 2, false, 0.06),
];

/** Indexes of the competitions that are not a country's league or cup. */
interface CupIndexes {
  continental: number[];
  nations: number[];
}

const CLUB_COLORS: [KitColorName, number][] = AVAILABLE_COLORS.map((c) => [c, CLUB_COLOR_WEIGHTS[c] ?? 1]);
const DESIGNS: [KitDesign, number][] = AVAILABLE_DESIGNS.map((d) => [d, DESIGN_WEIGHTS[d] ?? 1]);

/** What the kit generator needs to know about a club beyond its row. */
interface ClubPlan {
  row: ClubRow;
  national: boolean;
  /** Index in the catalogue's competitions. */
  league: number | null;
  cup: number | null;
  topDivision: boolean;
  colors: [KitColorName, KitColorName];
  homeDesign: KitDesign;
  brandPhase: number;
}

export function generateCatalog(options: CatalogOptions): GeneratedCatalog {
  const kitCount = options.kits;
  if (!Number.isInteger(kitCount) || kitCount < 0) throw new Error('kits must be a whole number ≥ 0');
  const seed = options.seed ?? DEFAULT_SEED;
  const clubCount = options.clubs ?? Math.max(1, Math.round(kitCount / 10));
  const brandCount = options.brands ?? Math.min(120, Math.max(8, Math.round(8 + kitCount / 2500)));
  const lastYear = options.lastSeasonYear ?? 2024;
  const firstYear = options.firstSeasonYear ?? lastYear - 29;
  if (clubCount < 1 || brandCount < 1 || firstYear > lastYear) throw new Error('invalid catalogue size');

  const seasons = buildSeasons(firstYear, lastYear);
  const clubSeasons = seasons.flatMap((s, i) => (s.secondYear ? [i] : [])).reverse();
  const nationalSeasons = seasons.flatMap((s, i) => (s.secondYear ? [] : [i])).reverse();
  const brands = buildBrands(brandCount, new Random(seed, 'brands'));
  const { competitions, clubs, cups } = buildClubsAndCompetitions(clubCount, new Random(seed, 'clubs'));

  const capacities = clubs.map(
    (club) => (club.national ? nationalSeasons.length : clubSeasons.length) * KIT_TYPES.length,
  );
  const allocationRandom = new Random(seed, 'allocation');
  const kitsPerClub = allocate(
    kitCount,
    clubs.map(() => 0.2 + 2.4 * allocationRandom.next() ** 3),
    capacities,
  );

  function* kits(): Generator<KitRow> {
    const random = new Random(seed, 'kits');
    const usedSlugs = new Set<string>();
    let index = 0;
    for (let c = 0; c < clubs.length; c++) {
      const club = clubs[c];
      const combos = pickSeasonsAndTypes(
        kitsPerClub[c],
        club.national ? nationalSeasons : clubSeasons,
        random,
      );
      for (const [season, type] of combos) {
        yield buildKit(
          index++,
          c,
          club,
          season,
          type,
          { seasons, brandCount: brands.length, cups },
          usedSlugs,
          random,
        );
      }
    }
  }

  return {
    seed,
    seasons,
    kitTypes: KIT_TYPES.map(({ chance: _chance, requires: _requires, ...row }) => row),
    brands,
    competitions,
    clubs: clubs.map((c) => c.row),
    kitCount,
    kits,
  };
}

/** Two-year seasons ("2019-20") for clubs, single-year ones ("2020", even years) for national sides. */
function buildSeasons(firstYear: number, lastYear: number): SeasonRow[] {
  const seasons: SeasonRow[] = [];
  for (let y = firstYear; y <= lastYear; y++) {
    seasons.push({
      year: `${y}-${String((y + 1) % 100).padStart(2, '0')}`,
      firstYear: String(y),
      secondYear: String(y + 1),
    });
  }
  for (let y = firstYear; y <= lastYear; y++) {
    if (y % 2 === 0) seasons.push({ year: String(y), firstYear: String(y), secondYear: null });
  }
  return seasons;
}

function buildBrands(count: number, random: Random): BrandRow[] {
  const words = shuffle([...BRAND_WORDS], random);
  return Array.from({ length: count }, (_, i) => {
    const suffix = BRAND_SUFFIXES[Math.floor(i / words.length) % BRAND_SUFFIXES.length];
    const round = Math.floor(i / (words.length * BRAND_SUFFIXES.length));
    const name = `${words[i % words.length]}${suffix}${round > 0 ? ` ${round + 1}` : ''}`;
    const base = slugify(name);
    return {
      name,
      slug: `${base}-kits`,
      logo: `${IMAGE_HOST}/logos/brands/${base}.png`,
      logoDark: random.chance(0.5) ? `${IMAGE_HOST}/logos/brands/${base}-dark.png` : null,
    };
  });
}

/**
 * National sides (about 3% of the clubs, at least two when there are 20 clubs) and club sides
 * grouped in leagues of 18, each league in a country; every country with a league has a cup.
 */
function buildClubsAndCompetitions(
  clubCount: number,
  random: Random,
): { competitions: CompetitionRow[]; clubs: ClubPlan[]; cups: CupIndexes } {
  const nationalCount =
    clubCount >= 20
      ? Math.min(COUNTRIES.length * NATIONAL_TEAM_VARIANTS.length, Math.max(2, Math.round(clubCount * 0.03)))
      : 0;
  const sideCount = clubCount - nationalCount;
  const leagueCount = Math.ceil(sideCount / CLUBS_PER_LEAGUE);

  const competitions: CompetitionRow[] = [];
  const leagueCountry: Country[] = [];
  const leagueDivision: number[] = [];
  for (let l = 0; l < leagueCount; l++) {
    const country = COUNTRIES[l % COUNTRIES.length];
    const division = Math.floor(l / COUNTRIES.length);
    const tier =
      division < DIVISION_NAMES.length
        ? DIVISION_NAMES[division]
        : `Regional League Group ${division - DIVISION_NAMES.length + 1}`;
    competitions.push(competition(`${country.name} ${tier}`, country.code));
    leagueCountry.push(country);
    leagueDivision.push(division);
  }
  const cupByCountry = new Map<string, number>();
  for (const country of new Set(leagueCountry)) {
    cupByCountry.set(country.code, competitions.length);
    competitions.push(competition(`${country.name} Cup`, country.code));
  }
  const continental = CONTINENTAL_COMPETITIONS.map((name) => competitions.push(competition(name, null)) - 1);
  const nations = NATIONAL_TEAM_COMPETITIONS.map((name) => competitions.push(competition(name, null)) - 1);

  const usedSlugs = new Set<string>();
  const clubs: ClubPlan[] = [];
  for (let i = 0; i < sideCount; i++) {
    const league = Math.floor(i / CLUBS_PER_LEAGUE);
    const country = leagueCountry[league];
    const name = uniqueClubName(country, random, usedSlugs);
    clubs.push(
      clubPlan(name, country, clubs.length, random, {
        national: false,
        league,
        cup: cupByCountry.get(country.code) ?? null,
        topDivision: leagueDivision[league] === 0,
      }),
    );
    usedSlugs.add(slugify(name));
  }
  for (let i = 0; i < nationalCount; i++) {
    const country = COUNTRIES[i % COUNTRIES.length];
    const name = `${country.name}${NATIONAL_TEAM_VARIANTS[Math.floor(i / COUNTRIES.length)]}`;
    usedSlugs.add(slugify(name));
    clubs.push(
      clubPlan(name, country, clubs.length, random, {
        national: true,
        league: null,
        cup: null,
        topDivision: true,
      }),
    );
  }
  return { competitions, clubs, cups: { continental, nations } };
}

function competition(name: string, country: string | null): CompetitionRow {
  const base = slugify(name);
  return {
    name,
    slug: `${base}-kits`,
    logo: `${IMAGE_HOST}/logos/competitions/${base}.png`,
    logoDark: null,
    country,
  };
}

/** "Real Valmona", "Ashford Rovers", "Mónteira": invented towns in the country's naming style. */
function uniqueClubName(country: Country, random: Random, usedSlugs: ReadonlySet<string>): string {
  const { style } = country;
  let name = '';
  for (let attempt = 0; attempt < 8; attempt++) {
    const town = `${random.pick(style.townStarts)}${random.pick(style.townEnds)}`;
    const pattern = random.weighted<'prefix' | 'suffix' | 'town'>([
      ['prefix', 0.42],
      ['suffix', 0.5],
      ['town', 0.08],
    ]);
    name =
      pattern === 'prefix'
        ? `${random.pick(style.prefixes)} ${town}`
        : pattern === 'suffix'
          ? `${town} ${random.pick(style.suffixes)}`
          : town;
    if (!usedSlugs.has(slugify(name))) return name;
  }
  // A crowded country: tell clubs of the same name apart by their founding year, as real ones do.
  let dated = name;
  while (usedSlugs.has(slugify(dated))) dated = `${name} ${random.int(1870, 2015)}`;
  return dated;
}

function clubPlan(
  name: string,
  country: Country,
  index: number,
  random: Random,
  membership: Pick<ClubPlan, 'national' | 'league' | 'cup' | 'topDivision'>,
): ClubPlan {
  const base = slugify(name);
  const primary = random.weighted(CLUB_COLORS);
  let secondary = primary;
  while (secondary === primary) secondary = random.weighted(CLUB_COLORS);
  return {
    row: {
      name,
      slug: `${base}-kits`,
      idFka: 1000 + index,
      logo: random.chance(0.9) ? `${IMAGE_HOST}/logos/clubs/${base}.png` : DEFAULT_LOGO_URL,
      logoDark: random.chance(0.25) ? `${IMAGE_HOST}/logos/clubs/${base}-dark.png` : null,
      country: country.code,
    },
    ...membership,
    colors: [primary, secondary],
    homeDesign: random.weighted(DESIGNS),
    brandPhase: random.int(0, 3),
  };
}

/**
 * Splits `total` kits over the clubs in proportion to their weights, no club above its capacity
 * (seasons × kit types); what rounding leaves goes one by one to the clubs with room.
 */
function allocate(total: number, weights: readonly number[], capacities: readonly number[]): number[] {
  const room = capacities.reduce((a, b) => a + b, 0);
  if (total > room) {
    throw new Error(`${total} kits do not fit ${weights.length} clubs over these seasons (at most ${room})`);
  }
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w, i) => Math.min(capacities[i], Math.floor((total * w) / weightSum)));
  let left = total - counts.reduce((a, b) => a + b, 0);
  while (left > 0) {
    for (let i = 0; i < counts.length && left > 0; i++) {
      if (counts[i] < capacities[i]) {
        counts[i]++;
        left--;
      }
    }
  }
  return counts;
}

/**
 * `count` distinct (season, kit type) pairs for one club: a run of seasons back from a random
 * latest one, each with a home kit and the other types by their usual frequency; newest first.
 */
function pickSeasonsAndTypes(
  count: number,
  seasonsNewestFirst: readonly number[],
  random: Random,
): [number, number][] {
  if (count === 0) return [];
  const start = Math.floor(random.next() ** 2 * seasonsNewestFirst.length * 0.7);
  const order = [...seasonsNewestFirst.slice(start), ...seasonsNewestFirst.slice(0, start)];
  const picked = new Set<string>();
  const combos: [number, number][] = [];
  const take = (season: number, type: number): void => {
    const key = `${season}:${type}`;
    if (combos.length < count && !picked.has(key)) {
      picked.add(key);
      combos.push([season, type]);
    }
  };
  for (const season of order) {
    const has = new Set<string>();
    for (let t = 0; t < KIT_TYPES.length && combos.length < count; t++) {
      const { name, chance, requires } = KIT_TYPES[t];
      if ((requires === undefined || has.has(requires)) && random.chance(chance)) {
        take(season, t);
        has.add(name);
      }
    }
    if (combos.length === count) break;
  }
  // Rarely, a big quota outlasts the seasons: fill with the pairs not taken yet.
  for (const season of order) for (let t = 0; t < KIT_TYPES.length; t++) take(season, t);
  const position = new Map(order.map((season, i) => [season, i]));
  return combos.sort((a, b) => position.get(a[0])! - position.get(b[0])! || a[1] - b[1]);
}

function buildKit(
  index: number,
  clubIndex: number,
  club: ClubPlan,
  seasonIndex: number,
  typeIndex: number,
  { seasons, brandCount, cups }: { seasons: readonly SeasonRow[]; brandCount: number; cups: CupIndexes },
  usedSlugs: Set<string>,
  random: Random,
): KitRow {
  const season = seasons[seasonIndex];
  const type = KIT_TYPES[typeIndex];
  const clubBase = club.row.slug.replace(/-kits$/, '');
  let slug = `${clubBase}-${season.year}-${slugify(type.name)}-kit`;
  for (let n = 2; usedSlugs.has(slug); n++)
    slug = `${clubBase}-${season.year}-${slugify(type.name)}-${n}-kit`;
  usedSlugs.add(slug);

  const firstYear = Number(season.firstYear);
  // A club changes kit supplier every few years.
  const brand = mix(clubIndex, Math.floor((firstYear + club.brandPhase) / 4)) % brandCount;
  const { primaryColor, secondaryColors } = kitColors(club, type, random);
  const design = type.name === 'Home' && random.chance(0.7) ? club.homeDesign : random.weighted(DESIGNS);

  return {
    name: `${club.row.name} ${season.year} ${type.name}`.slice(0, 100),
    slug,
    sourceKitId: String(100000 + index),
    club: clubIndex,
    season: seasonIndex,
    type: typeIndex,
    brand,
    competitions: kitCompetitions(club, type, cups, random),
    mainImgUrl: `${IMAGE_HOST}/kits/${slug}.jpg`,
    rating: random.chance(0.12) ? 0 : Math.round((2 + 3 * Math.sqrt(random.next())) * 100) / 100,
    webUpdated: new Date(
      Date.UTC(firstYear, random.int(4, 11), random.int(1, 28), random.int(0, 23), random.int(0, 59)),
    ),
    primaryColor,
    secondaryColors,
    design,
  };
}

function kitColors(
  club: ClubPlan,
  type: KitTypeRow,
  random: Random,
): { primaryColor: KitColorName; secondaryColors: KitColorName[] } {
  const [main, second] = club.colors;
  let primaryColor: KitColorName;
  let secondaryColors: KitColorName[];
  if (type.isGoalkeeper) {
    primaryColor = random.pick(GOALKEEPER_COLORS);
    secondaryColors = random.chance(0.6) ? [random.pick(AVAILABLE_COLORS)] : [];
  } else if (type.name === 'Home') {
    primaryColor = main;
    secondaryColors = [second];
  } else if (type.name === 'Away') {
    primaryColor = main !== 'White' && random.chance(0.4) ? 'White' : second;
    secondaryColors = [main];
  } else {
    primaryColor = random.chance(0.3)
      ? random.pick(['Black', 'Navy', 'Gray'] as const)
      : random.pick(AVAILABLE_COLORS);
    secondaryColors = random.chance(0.5) ? [main] : [];
  }
  if (random.chance(0.2)) secondaryColors.push(random.pick(AVAILABLE_COLORS));
  return {
    primaryColor,
    secondaryColors: [...new Set(secondaryColors)].filter((c) => c !== primaryColor),
  };
}

function kitCompetitions(club: ClubPlan, type: KitTypeRow, cups: CupIndexes, random: Random): number[] {
  if (type.category !== 'match') return [];
  if (club.national) return random.chance(0.7) ? [random.pick(cups.nations)] : [];
  const competitions: number[] = [];
  if (club.league !== null) competitions.push(club.league);
  if (club.cup !== null && random.chance(0.5)) competitions.push(club.cup);
  if (club.topDivision && random.chance(0.25)) competitions.push(random.pick(cups.continental));
  return competitions;
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A stable non-negative integer from two integers. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x165667b1, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
