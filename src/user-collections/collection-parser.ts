import { CollectionFetchError } from './user-collections.errors';
import {
  CollectionEntry,
  EnrichedBrand,
  EnrichedClub,
  isJsonObject,
  JsonObject,
} from './user-collection.types';

/**
 * Pure functions that turn upstream JSON into the stored collection (in the shape the original FKApi stores):
 * page validation, entry filtering and cleaning, and applying the local brand/club matches.
 */

/** Entries with any of these set describe a user-made kit, not one of the catalogue: dropped. */
export const CUSTOM_FIELDS = [
  'custom_team',
  'custom_type',
  'custom_season',
  'custom_league',
  'custom_brand',
] as const;

/** Removed from every entry (repeated user block, purchase and value data, gender, printing). */
export const REMOVED_ENTRY_FIELDS = [
  'user',
  'purchase_date',
  'purchase_price',
  'currency',
  'estimated_value',
  'value_currency',
  'gender',
  'printing_type',
] as const;

/** Removed from `entry.kit`. */
export const REMOVED_KIT_FIELDS = [
  'sponsor_name',
  'footyheadlines_url',
  'credits',
  'template',
  'carry_over',
  'userid',
  'added_at',
  'updated_at',
  'release_date',
  'image_preview_url',
] as const;

const MAX_UPSTREAM_MESSAGE = 200;

export interface FeedPage {
  /** The page's entries as sent (objects only). */
  entries: JsonObject[];
  moreAvailable: boolean;
}

function invalid(message: string): CollectionFetchError {
  return new CollectionFetchError('invalid_upstream_response', message);
}

function shorten(text: string): string {
  return text.length > MAX_UPSTREAM_MESSAGE ? `${text.slice(0, MAX_UPSTREAM_MESSAGE)}…` : text;
}

/**
 * One `collection-feed.php` page: a JSON object with `success` true and `entries` a list, else
 * the reference's error messages. `more_available` missing means the last page.
 */
export function parseFeedPage(body: string): FeedPage {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw invalid(`Invalid JSON response from API: ${shorten((error as Error).message)}`);
  }
  if (!isJsonObject(data)) throw invalid('API response is not a dictionary');
  if (data.success !== true) {
    const reason = typeof data.error === 'string' ? shorten(data.error) : 'Unknown error';
    throw invalid(`API returned error: ${reason}`);
  }
  const entries = data.entries ?? [];
  if (!Array.isArray(entries)) throw invalid("API response 'entries' is not a list");
  return {
    entries: entries.filter(isJsonObject),
    moreAvailable: data.more_available === true || data.more_available === 1,
  };
}

/** The `user` member of a `user.php` answer; anything unexpected gives `undefined` (the user is optional). */
export function parseUserInfo(body: string): JsonObject | undefined {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isJsonObject(data) || (data.error !== undefined && data.error !== null)) return undefined;
  return isJsonObject(data.user) && Object.keys(data.user).length > 0 ? data.user : undefined;
}

export function hasCustomFields(entry: JsonObject): boolean {
  return CUSTOM_FIELDS.some((field) => entry[field] !== undefined && entry[field] !== null);
}

/** A copy of the entry without the removed fields (and a cleaned copy of its kit). */
export function cleanEntry(entry: JsonObject): CollectionEntry {
  const cleaned: CollectionEntry = { ...entry };
  for (const field of REMOVED_ENTRY_FIELDS) delete cleaned[field];
  if (isJsonObject(entry.kit)) {
    const kit: JsonObject = { ...entry.kit };
    for (const field of REMOVED_KIT_FIELDS) delete kit[field];
    cleaned.kit = kit;
  }
  return cleaned;
}

/** Drops entries with custom fields and cleans the rest, keeping their order. */
export function filterAndCleanEntries(entries: readonly JsonObject[]): CollectionEntry[] {
  return entries.filter((entry) => !hasCustomFields(entry)).map(cleanEntry);
}

/**
 * The club slug a kit URL suggests: `/ss-lazio-2020-21-home-kit/9280/` → `ss-lazio` (years and
 * the home/away/third/gk-N/special suffix removed), lower-cased; `null` when nothing is left.
 */
export function clubSlugFromKitUrl(url: string): string | null {
  const segments = url.replace(/^\/+|\/+$/g, '').split('/');
  if (segments.length < 2) return null;
  const kitSlug = segments[segments.length - 2];
  const candidate = kitSlug
    .replace(/-\d{4}(?:-\d{2}){0,2}/gi, '')
    .replace(/-(?:home|away|third|gk-\d+|special)-kit$/i, '')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return candidate === '' ? null : candidate;
}

/** What the enrichment needs to know about one entry's kit. */
export interface KitReference {
  brandName?: string;
  teamName?: string;
  /** Upstream kit id as text (local `kits.kit_id` is text). */
  kitId?: string;
  clubSlugCandidate?: string;
}

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export function kitReference(entry: CollectionEntry): KitReference {
  const kit = entry.kit;
  if (!isJsonObject(kit)) return {};
  const id = kit.id;
  const url = nonEmptyString(kit.url);
  return {
    brandName: nonEmptyString(kit.brand_name),
    teamName: nonEmptyString(kit.team_name),
    kitId:
      typeof id === 'number' && Number.isSafeInteger(id)
        ? String(id)
        : typeof id === 'string' && /^\d{1,20}$/.test(id)
          ? id
          : undefined,
    clubSlugCandidate: url ? (clubSlugFromKitUrl(url) ?? undefined) : undefined,
  };
}

export type LocalBrand = Extract<EnrichedBrand, { id: number }>;
export type LocalClub = Extract<EnrichedClub, { id: number }>;

/** Local rows matched to the collection's names, kit ids and slug candidates. */
export interface CatalogMatches {
  brandsByName: ReadonlyMap<string, LocalBrand>;
  clubsByName: ReadonlyMap<string, LocalClub>;
  clubsByKitId: ReadonlyMap<string, LocalClub>;
  clubsBySlug: ReadonlyMap<string, LocalClub>;
}

/** The club of a kit: by team name, then by the local kit with the same upstream id, then by URL. */
export function matchClub(ref: KitReference, matches: CatalogMatches): LocalClub | undefined {
  if (!ref.teamName) return undefined;
  return (
    matches.clubsByName.get(ref.teamName) ??
    (ref.kitId !== undefined ? matches.clubsByKitId.get(ref.kitId) : undefined) ??
    (ref.clubSlugCandidate !== undefined ? matches.clubsBySlug.get(ref.clubSlugCandidate) : undefined)
  );
}

/** Adds `kit.brand` and `kit.club` (local rows, or just the upstream names when unmatched). */
export function enrichEntry(entry: CollectionEntry, matches: CatalogMatches): CollectionEntry {
  if (!isJsonObject(entry.kit)) return entry;
  const ref = kitReference(entry);
  const kit: JsonObject = { ...entry.kit };
  if (ref.brandName) {
    const brand: EnrichedBrand = matches.brandsByName.get(ref.brandName) ?? { name: ref.brandName };
    kit.brand = brand;
  }
  if (ref.teamName) {
    const club: EnrichedClub = matchClub(ref, matches) ?? { name: ref.teamName };
    kit.club = club;
  }
  return { ...entry, kit };
}
