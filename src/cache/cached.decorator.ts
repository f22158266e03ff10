/**
 * `@Cached(prefix, options)` caches what a service read method returns (docs/DESIGN.md §4).
 *
 *   import { Cached } from '../cache/cached.decorator';
 *   import { Family, Tag } from '../cache/cache-tags';
 *
 *   @Cached('kit', { tags: (kit: KitDto) => [Tag.kit(kit.id), Tag.club(kit.team.id), …] })
 *   async getKit(id: number): Promise<KitDto> { … }                    // key kit_42
 *
 *   @Cached('kit_club', {
 *     key: (clubId: number, q: ClubKitsQuery) => ({ args: [clubId], kwargs: { season: q.season ?? null, page: q.page, page_size: q.page_size } }),
 *     tags: (kits: KitItemDto[], clubId: number) => [Tag.club(clubId), ...kits.map((k) => Tag.kit(k.id))],
 *     ttl: 1800,
 *   })
 *   async clubKits(clubId: number, q: ClubKitsQuery): Promise<KitItemDto[]> { … } // kit_club_5_page=1_page_size=20_season=~
 *
 * - `prefix`: a family of docs/DESIGN.md §2 (`club`, `season_club`, `kit_club`, `search_kits`, …);
 *   its first word is the `cache_type` metrics label unless `cacheType` says otherwise.
 * - `key` (optional): the values that make the key, from the method's arguments — default: the
 *   arguments themselves. Return already-normalised values (defaults applied, case folded where
 *   the query ignores case, lists sorted where order does not matter, `null` for "not given").
 * - `tags` (required): every entity the result contains (`Tag.kit(id)` for each kit listed, the
 *   club and season a kit embeds) and the entity the key is about even when the result is empty
 *   (`Tag.club(clubId)` for "kits of club 5"), plus the families whose membership a new row can
 *   change (`Family.kitsList`, `Family.search` + `Family.searchKits` for searches). A write
 *   invalidates by the tags its entity's module declares (`@InvalidatesOn`, e.g.
 *   `kits/kit.invalidation.ts`); a tag missing on either side means a stale read.
 * - `ttl`: seconds, default `CACHE_TTL_SECONDS` (3600).
 *
 * The method must return a promise of a JSON-serialisable value (a response DTO). Thrown errors
 * (NotFound, …) are not cached. The decorator only records metadata; `CachedMethodsExplorer`
 * wraps the method of the provider instance when the application starts, so a service stays a
 * plain class and a unit test that builds it with `new` runs it uncached.
 *
 * Other exports for modules: `CacheService.read` / `readJson` (cached reads without the
 * decorator), `CacheInvalidationService` (invalidate by tag or with the seed's named
 * invalidators), `generateCacheKey`, `Tag` / `Family`.
 */
import { generateCacheKey } from './cache-key';
import { CachedRead } from './cache.service';

export const CACHED_METADATA = Symbol('fkapi:cached');

/** What a key function may return: positional values, or positional and named ones. */
export type CacheKeyParts =
  readonly unknown[] | { args: readonly unknown[]; kwargs?: Readonly<Record<string, unknown>> };

export interface CachedOptions<R> {
  /** Seconds; default `CACHE_TTL_SECONDS`. */
  ttl?: number;
  // The decorator factory runs before it sees the method, so it cannot type the arguments;
  // each call site annotates them (`(id: number) => [id]`).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  key?: (...args: any[]) => CacheKeyParts;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tags: (result: R, ...args: any[]) => readonly string[];
  /** Metrics label; default: the prefix's family (`cacheTypeOf`). */
  cacheType?: string;
}

export interface CachedMetadata extends CachedOptions<unknown> {
  prefix: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see CachedOptions.key
type AsyncMethod<R> = (...args: any[]) => Promise<R>;

/** Caches the decorated service method's result under `prefix` with the given tags. */
export function Cached<R>(
  prefix: string,
  options: CachedOptions<R>,
): (target: object, propertyKey: string | symbol, descriptor: { value?: AsyncMethod<R> }) => void {
  generateCacheKey(prefix, []); // refuses a malformed prefix when the class is loaded
  return (_target, propertyKey, descriptor) => {
    if (typeof descriptor.value !== 'function') {
      throw new TypeError(`@Cached needs a method (on ${String(propertyKey)})`);
    }
    const metadata: CachedMetadata = { prefix, ...(options as CachedOptions<unknown>) };
    Reflect.defineMetadata(CACHED_METADATA, metadata, descriptor.value);
  };
}

export function getCachedMetadata(method: unknown): CachedMetadata | undefined {
  return typeof method === 'function'
    ? (Reflect.getMetadata(CACHED_METADATA, method) as CachedMetadata | undefined)
    : undefined;
}

/** Re-exported for services that cache without the decorator. */
export type { CachedRead };
