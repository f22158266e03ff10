import { createHash } from 'node:crypto';
import { normaliseKeyword } from '../common/search/keyword.dto';

/** Every Redis key the cache writes starts with this (the seed's `fkapi:` prefix). */
export const NAMESPACE = 'fkapi:';

/**
 * The shape of what cache entries hold. Bump it in the same change as a cached response's shape
 * (`test/unit/cache-schema-version.spec.ts` fails until you do): entries then live under new keys
 * (`fkapi:v2:club_5`), so an instance of the new code never reads JSON written by the old one,
 * nor the old one the new (both run side by side during a rolling deploy). The tag index, the
 * invalidation sequence and the rate-limit counters stay unversioned under `fkapi:`, shared by
 * every version: a write on either invalidates the entries of both, and the old ones expire
 * with their TTL.
 */
export const CACHE_SCHEMA_VERSION = 1;

/** Where the current version's entries sit under the namespace: `v1:` (Redis key `fkapi:v1:club_5`). */
export const ENTRY_VERSION = `v${CACHE_SCHEMA_VERSION}:`;

const VERSIONED_KEY = /^v[0-9]+:/;

/** Past this many characters a key becomes `${prefix}_${md5}` (the seed's rule). */
export const MAX_PLAIN_KEY_LENGTH = 200;

/** A value that can take part in a key. Objects are refused: `[object Object]` would collide. */
export type KeyValue = string | number | boolean | bigint | Date | null | undefined | readonly KeyValue[];

const PREFIX_PATTERN = /^[a-z][a-z0-9_]*$/;
const KWARG_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
/**
 * Printable ASCII minus the characters that carry structure in a key (`_` between parts, `=` in
 * kwargs, `[` `]` `,` `"` in lists, `~` for null, `%` for escapes) and the glob characters `*` `?`
 * that the seed's pattern deletion would have interpreted.
 */
const SAFE_VALUE = /^[!#$&'()+\-./0-9:;<>@A-Z\\^`a-z{|}]*$/;
const UNSAFE_CHAR = /[^!#$&'()+\-./0-9:;<>@A-Z\\^`a-z{|}]/gu;

function percentEncode(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  // A lone surrogate has no UTF-8 form; give it its own escape instead of U+FFFD's.
  if (code >= 0xd800 && code <= 0xdfff) return `%u${code.toString(16).toUpperCase()}`;
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

function encodeString(text: string): string {
  // `""` (never produced by a non-empty string, since `"` is escaped) keeps `[]` and `[""]` apart.
  if (text === '') return '""';
  return SAFE_VALUE.test(text) ? text : text.replace(UNSAFE_CHAR, percentEncode);
}

/**
 * Renders one value so that different values never render alike: `null`/`undefined` → `~`
 * (the strings "null", "None" and "~" render as themselves, `%7E` for the last), lists →
 * `[a,b]` with their elements encoded (callers sort lists whose order does not matter).
 */
export function encodeKeyValue(value: unknown): string {
  if (value === null || value === undefined) return '~';
  if (typeof value === 'string') return encodeString(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return encodeString(String(value));
  }
  if (value instanceof Date) return encodeString(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(encodeKeyValue).join(',')}]`;
  throw new TypeError(`A cache key cannot contain a ${typeof value} value`);
}

/**
 * The seed's `generate_cache_key(prefix, *args, **kwargs)`: prefix, each positional value, then
 * the keyword values sorted by name as `name=value`, joined with `_`; longer than 200 characters
 * → `${prefix}_${md5hex(joined)}`. Values are encoded by {@link encodeKeyValue}, so two calls
 * with the same prefix and the same argument names give the same key only for the same values.
 *
 * A plain key that happens to look like a hashed one (`prefix_` + 32 hex digits, e.g. a search
 * for an md5 string) is hashed too: otherwise a client could choose a keyword whose key equals
 * the hashed key of someone else's long query and plant its answer there.
 */
export function generateCacheKey(
  prefix: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>> = {},
): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new TypeError(`Invalid cache key prefix '${prefix}'`);
  const parts = [prefix, ...args.map(encodeKeyValue)];
  for (const name of Object.keys(kwargs).sort()) {
    if (!KWARG_NAME_PATTERN.test(name)) throw new TypeError(`Invalid cache key argument name '${name}'`);
    parts.push(`${name}=${encodeKeyValue(kwargs[name])}`);
  }
  const joined = parts.join('_');
  if (joined.length > MAX_PLAIN_KEY_LENGTH || looksHashed(prefix, joined)) {
    return `${prefix}_${createHash('md5').update(joined).digest('hex')}`;
  }
  return joined;
}

/**
 * The key an entry is stored under: {@link generateCacheKey} (the seed's format) behind the
 * schema version, `v1:club_5`. Every entry the application reads or writes is keyed by this.
 */
export function entryKey(
  prefix: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>> = {},
): string {
  return ENTRY_VERSION + generateCacheKey(prefix, args, kwargs);
}

/** Whether a key (without the namespace) names an entry of some schema version, `v1:club_5`. */
export function isVersionedKey(key: string): boolean {
  return VERSIONED_KEY.test(key);
}

function looksHashed(prefix: string, key: string): boolean {
  return key.length === prefix.length + 33 && /^[0-9a-f]{32}$/.test(key.slice(prefix.length + 1));
}

/** The Redis key of a cache key. */
export function redisKey(key: string): string {
  return NAMESPACE + key;
}

/** The seed's `cache_type` label values, one per key family. */
export const CACHE_TYPES = [
  'club',
  'season',
  'kit',
  'search',
  'brand',
  'competition',
  'user_collection',
] as const;
export type KnownCacheType = (typeof CACHE_TYPES)[number];

const FAMILY_ALIASES: Readonly<Record<string, KnownCacheType>> = {
  clubs: 'club',
  kits: 'kit',
  seasons: 'season',
};

/**
 * The `cache_type` of a prefix: its family (`search_clubs` → search, `kit_club` → kit,
 * `user_collection` → user_collection, `kits_bulk` → kit), else its first segment.
 */
export function cacheTypeOf(prefix: string): string {
  if (prefix === 'user_collection' || prefix.startsWith('user_collection_')) return 'user_collection';
  const first = prefix.split('_', 1)[0];
  return FAMILY_ALIASES[first] ?? first;
}

const CACHE_TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;

export function assertCacheType(cacheType: string): void {
  if (!CACHE_TYPE_PATTERN.test(cacheType)) throw new TypeError(`Invalid cache type '${cacheType}'`);
}

/**
 * A name-search keyword as a key value: whitespace normalised as the search does it, and ASCII
 * letters lower-cased, so `Arsenal` and `arsenal` share one entry. Only for searches that
 * compare `lower(…)` on both sides (clubs, brands, competitions): PostgreSQL's `lower` folds
 * ASCII letters exactly like this, whereas folding other letters in JavaScript could merge
 * keywords PostgreSQL tells apart.
 */
export function caseFoldedKeyword(keyword: string): string {
  return normaliseKeyword(keyword).replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
