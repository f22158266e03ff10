// The key layout on a Redis Cluster: shard groups (docs/SCALING.md, "Redis Cluster").
import calculateSlot from 'cluster-key-slot';

/** Hash slots of a Redis Cluster. */
const CLUSTER_SLOTS = 16384;

/**
 * Shard groups on a Redis Cluster. Every invalidation runs one script per group, so fewer groups
 * make it cheaper: measured with `npm run bench:cluster` (docs/SCALING.md), one kit took 1.6 ms
 * median with 8 groups and 2.3 ms with 16 on 3 masters. 8 still spreads the entries over up to 8
 * masters (3, 3 and 2 groups on 3 masters: at most 37.5 %, as 6 of 16 would be).
 */
export const SHARD_GROUPS = 8;

/**
 * The namespaces of the shard groups: `fkapi:{n}:` for each. Redis hashes only what is between
 * the braces, so an entry (`fkapi:{n}:v1:kit_42`), the tag sets and type sets of its group and
 * the group's invalidation sequence and markers all sit in one hash slot: the Lua scripts, which
 * touch keys found at run time, then run on one node, as a cluster requires. Group `g`'s tag `n`
 * is the smallest number whose slot falls in the g-th of `groups` equal slot ranges, so the
 * groups spread over the slot range, hence over the masters, as evenly as the masters share it.
 * Deterministic: every instance computes the same layout.
 */
export function shardGroupNamespaces(namespace: string, groups: number = SHARD_GROUPS): string[] {
  const tags: (number | undefined)[] = new Array<number | undefined>(groups).fill(undefined);
  let found = 0;
  for (let n = 0; found < groups; n++) {
    const group = Math.floor((calculateSlot(String(n)) * groups) / CLUSTER_SLOTS);
    if (tags[group] === undefined) {
      tags[group] = n;
      found++;
    }
  }
  return tags.map((tag) => `${namespace}{${String(tag)}}:`);
}

/** The shard group of an entry key (without namespace): a hash of it, spread over `groups`. */
export function shardGroupOf(key: string, groups: number): number {
  return calculateSlot(key) % groups;
}

/**
 * `MGET` on a cluster: one per hash slot (a cluster refuses keys of several slots in one),
 * sent together; the values come back in the order of `keys`.
 */
export async function mGetBySlot<T>(keys: string[], mGet: (keys: string[]) => Promise<T[]>): Promise<T[]> {
  const bySlot = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = calculateSlot(key);
    const positions = bySlot.get(slot);
    if (positions) positions.push(i);
    else bySlot.set(slot, [i]);
  });
  if (bySlot.size === 1) return mGet(keys);
  const values = new Array<T>(keys.length);
  await Promise.all(
    [...bySlot.values()].map(async (positions) => {
      const found = await mGet(positions.map((i) => keys[i]));
      positions.forEach((position, j) => (values[position] = found[j]));
    }),
  );
  return values;
}
