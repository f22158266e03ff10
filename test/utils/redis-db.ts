import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { ENTRY_VERSION, NAMESPACE } from '../../src/cache/cache-key';
import { BASE_REDIS_URL } from './services';

/** Where the application's entries sit in Redis: `fkapi:v1:` (an entry is `${ENTRY}club_5`). */
export const ENTRY = `${NAMESPACE}${ENTRY_VERSION}`;

type RedisClient = ReturnType<typeof createClient>;

/**
 * Redis databases handed out to test files, one file at a time: the app's keys are fixed
 * (`fkapi:v1:club_5`) and every test file numbers its rows from 1, so two files sharing a database
 * would read each other's entries. 0 stays for tests that isolate by key prefix, 12 is used by
 * the user-collection tests, 13–15 by the benchmarks.
 */
const LEASABLE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const LEASE_MS = 15 * 60_000;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface TestRedisDb {
  index: number;
  /** `redis://…/<index>` for `REDIS_URL`. */
  url: string;
  /** A client on that database, for assertions. */
  client: RedisClient;
  /** Deletes what the cache left (`fkapi:*`) and gives the database back. */
  release(): Promise<void>;
}

function urlOf(index: number): string {
  const url = new URL(BASE_REDIS_URL);
  url.pathname = `/${index}`;
  return url.toString();
}

async function deleteCacheKeys(client: RedisClient): Promise<void> {
  // A test utility may scan: the database is this file's alone.
  for await (const keys of client.scanIterator({ MATCH: 'fkapi:*', COUNT: 1000 })) {
    if (keys.length > 0) await client.unlink(keys);
  }
}

/** A Redis database of this test file's own, emptied of cache keys, until `release()`. */
export async function leaseRedisDb(): Promise<TestRedisDb> {
  const registry = createClient({ url: urlOf(0) });
  await registry.connect();
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const start = Math.floor(Math.random() * LEASABLE.length);
  try {
    for (let attempt = 0; attempt < 600; attempt++) {
      const index = LEASABLE[(start + attempt) % LEASABLE.length];
      const leaseKey = `fkapi-test-lease:db:${index}`;
      if ((await registry.set(leaseKey, token, { NX: true, PX: LEASE_MS })) === 'OK') {
        const client = createClient({ url: urlOf(index) });
        await client.connect();
        await deleteCacheKeys(client);
        return {
          index,
          url: urlOf(index),
          client,
          release: async () => {
            await deleteCacheKeys(client);
            await client.close();
            const releaser = createClient({ url: urlOf(0) });
            await releaser.connect();
            await releaser.eval(RELEASE, { keys: [leaseKey], arguments: [token] });
            await releaser.close();
          },
        };
      }
      if (attempt % LEASABLE.length === LEASABLE.length - 1) await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('No free Redis test database');
  } finally {
    await registry.close();
  }
}
