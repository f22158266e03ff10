import { KitTypeCategory } from './kit-type.entity';

/** The category, its sort position, the goalkeeper flag and the priority inside the category. */
export interface KitTypeCategorisation {
  category: KitTypeCategory;
  categoryOrder: number;
  isGoalkeeper: boolean;
  orderPriority: number;
}

export const CATEGORY_ORDER: Readonly<Record<KitTypeCategory, number>> = {
  match: 1,
  prematch: 2,
  preseason: 3,
  training: 4,
  travel: 5,
  jacket: 6,
};

/** The priority of a type that names nothing the rules know: after every known one. */
export const UNRANKED_PRIORITY = 999;

/**
 * Jacket keywords count only as whole words: "Training" must not read as "rain", "Tracksuit"
 * not as "track".
 */
const JACKET_WORDS = ['anthem', 'rain', 'jacket', 'windbreaker', 'track', 'vest'] as const;
const PREMATCH_MARKERS = ['pre-match', 'prematch', 'bench', 'warm-up', 'warmup', 'staff'];
const PRESEASON_MARKERS = ['pre-season', 'preseason', 'temporary', 'temp'];
const TRAVEL_MARKERS = ['travel', 'polo'];
const GOALKEEPER_MARKERS = ['gk', 'goalkeeper', 'portero', 'guardameta'];

/**
 * A variant number ("V2", "2"): at most three digits, so that 10 + n (or 30 + n) always fits the
 * integer column whatever a client sends as a name.
 */
const VARIANT_NUMBER = /(?:^|[^a-z0-9])v?(\d{1,3})(?![0-9])/;

const hasWord = (name: string, word: string): boolean =>
  new RegExp(`(?:^|[^a-z0-9])${word}(?:[^a-z0-9]|$)`).test(name);
const hasAny = (name: string, markers: readonly string[]): boolean => markers.some((m) => name.includes(m));

function variantNumber(name: string): number | undefined {
  const match = VARIANT_NUMBER.exec(name);
  return match ? Number(match[1]) : undefined;
}

function categoryOf(name: string): KitTypeCategory {
  const jacketWord = JACKET_WORDS.some((word) => hasWord(name, word));
  if (name.includes('training')) return jacketWord ? 'jacket' : 'training';
  if (jacketWord) return 'jacket';
  if (hasAny(name, PREMATCH_MARKERS)) return 'prematch';
  if (hasAny(name, PRESEASON_MARKERS)) return 'preseason';
  if (hasAny(name, TRAVEL_MARKERS)) return 'travel';
  return 'match';
}

/** Home, away, third, fourth, then numbered variants (10 + n), then the rest. */
function kitPriority(name: string): number {
  if (name.includes('home') && !name.includes('away')) return 1;
  if (name.includes('away')) return 2;
  if (name.includes('third')) return 3;
  if (name.includes('fourth')) return 4;
  const n = variantNumber(name);
  return n === undefined ? UNRANKED_PRIORITY : 10 + n;
}

/** Anthem, rain, jacket, windbreaker, track, vest; rain, jacket and track have numbered variants. */
function jacketPriority(name: string): number {
  const n = variantNumber(name);
  if (hasWord(name, 'anthem')) return 1;
  if (hasWord(name, 'rain')) return n === undefined ? 2 : 10 + n;
  if (hasWord(name, 'jacket')) return n === undefined ? 3 : 20 + n;
  if (hasWord(name, 'windbreaker')) return 4;
  if (hasWord(name, 'track')) return n === undefined ? 5 : 30 + n;
  if (hasWord(name, 'vest')) return 6;
  return UNRANKED_PRIORITY;
}

/**
 * The original's automatic categorisation of a new kit type, from its name alone (case and
 * surrounding blanks ignored). Applied once, when a type is created without explicit values.
 */
export function categoriseKitType(rawName: string): KitTypeCategorisation {
  const name = rawName.trim().toLowerCase();
  const category = categoryOf(name);
  return {
    category,
    categoryOrder: CATEGORY_ORDER[category],
    isGoalkeeper: hasAny(name, GOALKEEPER_MARKERS),
    orderPriority: category === 'jacket' ? jacketPriority(name) : kitPriority(name),
  };
}
