/**
 * The tag index in one place: its key layout and the rules that keep a stale value out of the
 * cache (docs/DESIGN.md §3). Three implementations follow these rules and cite this file:
 * the Lua scripts in Redis (`redis-scripts.ts`, which cannot call TypeScript and so spell them
 * out again in Lua), the in-memory store (`memory-cache.store.ts`) and the in-process L1
 * (`l1-cache.ts`), which both call the functions below.
 *
 * Key layout in Redis, with `fkapi:` the namespace (on a Redis Cluster, each of the 8 shard
 * groups of `shard-groups.ts` has the whole layout under its own namespace `fkapi:{n}:`):
 *
 *   fkapi:v<N>:<key>         the entry: a JSON string with a TTL, under the cache schema
 *                            version (`entryKey`, `cache-key.ts`); everything below is shared
 *                            by every version
 *   fkapi:tag:<tag>          zset of the entries under a tag; member `<cache_type>|<redis key>`,
 *                            score = the entry's expiry (ms); expired members are pruned when
 *                            the set is written
 *   fkapi:type:<cache_type>  zset of the entries of one cache_type (member = redis key, score =
 *                            expiry): `ZCOUNT now +inf` is the entries gauge, and it lets
 *                            `clearNamespace` find our keys without scanning anyone else's
 *   fkapi:types              set of the cache_types in use
 *   fkapi:tags               zset of the tag zsets (score = latest expiry), for clearNamespace
 *   fkapi:inv:seq            invalidation sequence (INCR); created at the Redis clock in µs, so a
 *                            Redis that lost its data never hands out a sequence lower than one
 *                            a reader took before the loss (its store would pass the markers)
 *   fkapi:inv:tag:<tag>      the sequence at the tag's last invalidation (kept MARKER_TTL_MS)
 *   fkapi:inv:all            the sequence at the last clearNamespace (kept MARKER_TTL_MS)
 *   fkapi:inv:events:<db>    pub/sub channel: every invalidation publishes `<sequence>\n<key>\n…`
 *                            (the Redis keys it deleted, `*` for all; `<sequence>+` when more
 *                            calls of the same invalidation follow) for in-process caches
 *
 * The rules:
 *
 * 1. Every invalidation (of tags, of one key, of everything) takes a new sequence, higher than
 *    any before it.
 * 2. An invalidation of tags marks each tag with its sequence; clearing the namespace marks
 *    "all". Markers are kept `MARKER_TTL_MS`, longer than any computation may last.
 * 3. A value computed after reading sequence `s` may be stored only if neither "all" nor any of
 *    its tags was marked after `s` (`mayStore`): the value may predate that write.
 * 4. An in-process copy of a value read at `s` is kept only if no invalidation after `s` has
 *    been seen (`mayKeepCopy`): that invalidation may have deleted it after the read.
 */
import { NAMESPACE } from './cache-key';

/**
 * How long an invalidation marker is kept: longer than any request can last. A computation
 * running longer than half of it does not store its result (see `CacheService`).
 */
export const MARKER_TTL_MS = 10 * 60_000;

/** Line of an invalidation message that stands for every entry (`clearNamespace`). */
export const ALL_ENTRIES = '*';

/** The fixed keys of the index under a namespace (see the layout above). */
export interface IndexKeys {
  /** The namespace itself: an entry's Redis key is this followed by its key. */
  readonly namespace: string;
  readonly sequence: string;
  readonly cleared: string;
  readonly types: string;
  readonly tags: string;
  readonly typePrefix: string;
}

export function indexKeys(namespace: string): IndexKeys {
  return {
    namespace,
    sequence: `${namespace}inv:seq`,
    cleared: `${namespace}inv:all`,
    types: `${namespace}types`,
    tags: `${namespace}tags`,
    typePrefix: `${namespace}type:`,
  };
}

/** Appends, for each tag once, its zset and its marker key (the pairs the scripts take). */
export function pushTagKeys(keys: string[], namespace: string, tags: Iterable<string>): string[] {
  for (const tag of tags) keys.push(`${namespace}tag:${tag}`, `${namespace}inv:tag:${tag}`);
  return keys;
}

/**
 * The channel invalidation scripts publish on. Pub/sub is server-wide, so it names the database:
 * applications on other database indexes of the same Redis keep theirs.
 */
export function invalidationChannel(namespace: string, database: number): string {
  return `${namespace}inv:events:${database}`;
}

/**
 * Keys under the namespace that are not cache entries: the index above, Keyv's store and the
 * user-collection fetch state. Deleting one as if it were an entry would corrupt the index
 * (a lost tag set leaves its entries uninvalidatable, a lost sequence lets a stale store in).
 * No entry key can collide: `generateCacheKey` prefixes never contain `:` or `-`.
 */
const INTERNAL_KEYS: readonly { matches: (key: string) => boolean; what: string }[] = [
  { matches: (key) => key.startsWith('tag:'), what: 'a tag index' },
  { matches: (key) => key === 'tags', what: 'the registry of tag indexes' },
  { matches: (key) => key.startsWith('type:'), what: 'a cache_type index' },
  { matches: (key) => key === 'types', what: 'the registry of cache_types' },
  { matches: (key) => key.startsWith('inv:'), what: 'an invalidation sequence or marker' },
  { matches: (key) => key.startsWith('cache-manager:'), what: "Nest's CACHE_MANAGER store" },
  { matches: (key) => key.startsWith('lock:'), what: 'a lock' },
  { matches: (key) => key.startsWith('user_collection_task:'), what: 'a user collection fetch state' },
];

/** Why a key (with or without the `fkapi:` namespace) is internal and not deletable as an entry, or null. */
export function internalKeyReason(key: string): string | null {
  const bare = key.startsWith(NAMESPACE) ? key.slice(NAMESPACE.length) : key;
  const found = INTERNAL_KEYS.find((family) => family.matches(bare));
  return found ? `'${bare}' is ${found.what}, internal to the cache, not an entry` : null;
}

/**
 * Rule 3: whether a value computed after reading sequence `reader` may be stored, given the
 * sequence of the last clear (`cleared`) and those of its tags' live markers (undefined: none).
 */
export function mayStore(
  reader: number,
  cleared: number | undefined,
  markers: Iterable<number | undefined>,
): boolean {
  if (cleared !== undefined && cleared > reader) return false;
  for (const marker of markers) if (marker !== undefined && marker > reader) return false;
  return true;
}

/** Rule 4: whether a copy read at sequence `read` may be kept, `lastSeen` the newest invalidation seen. */
export function mayKeepCopy(read: number, lastSeen: number): boolean {
  return read >= lastSeen;
}
