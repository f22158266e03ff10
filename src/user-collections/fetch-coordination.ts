import { NAMESPACE } from '../cache/cache-key';
import { RedisClient } from '../redis/redis-client';
import { UserCollectionStoreUnavailableError } from './user-collections.errors';
import { CollectionTaskStatus, isCollectionTaskStatus } from './user-collection.types';

export const userCollectionTaskRedisKey = (userid: number): string =>
  `${NAMESPACE}user_collection_task:${userid}`;
export const userCollectionLockRedisKey = (userid: number): string =>
  `${NAMESPACE}lock:user_collection:${userid}`;

/**
 * One fetch per user at a time, across instances: a lock whose token is the running fetch's
 * task id, and the status of the latest fetch. In Redis (shared by every instance) when
 * configured, else in this process. Redis failures surface as
 * {@link UserCollectionStoreUnavailableError}.
 */
export interface FetchCoordination {
  /** Takes the user's fetch lock for `token` unless someone holds it. */
  acquireLock(userid: number, token: string, ttlMs: number): Promise<boolean>;
  /** Prolongs the lock if `token` still holds it. */
  extendLock(userid: number, token: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock if `token` still holds it (never someone else's). */
  releaseLock(userid: number, token: string): Promise<void>;
  /** The token holding the lock (the running fetch's task id), if any. */
  lockHolder(userid: number): Promise<string | null>;
  getTask(userid: number): Promise<CollectionTaskStatus | null>;
  setTask(userid: number, status: CollectionTaskStatus, ttlSeconds: number): Promise<void>;
  deleteTask(userid: number): Promise<void>;
}

export const FETCH_COORDINATION = Symbol('FETCH_COORDINATION');

export function createFetchCoordination(redis: RedisClient | null): FetchCoordination {
  return redis ? new RedisFetchCoordination(redis) : new MemoryFetchCoordination();
}

function decodeTask(raw: string | null): CollectionTaskStatus | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return isCollectionTaskStatus(value) ? value : null;
  } catch {
    return null;
  }
}

const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export class RedisFetchCoordination implements FetchCoordination {
  constructor(private readonly redis: RedisClient) {}

  async acquireLock(userid: number, token: string, ttlMs: number): Promise<boolean> {
    const reply = await this.call(() =>
      this.redis.set(userCollectionLockRedisKey(userid), token, {
        condition: 'NX',
        expiration: { type: 'PX', value: ttlMs },
      }),
    );
    return reply === 'OK';
  }

  async extendLock(userid: number, token: string, ttlMs: number): Promise<boolean> {
    const reply = await this.call(() =>
      this.redis.eval(EXTEND_SCRIPT, {
        keys: [userCollectionLockRedisKey(userid)],
        arguments: [token, String(ttlMs)],
      }),
    );
    return reply === 1;
  }

  async releaseLock(userid: number, token: string): Promise<void> {
    await this.call(() =>
      this.redis.eval(RELEASE_SCRIPT, { keys: [userCollectionLockRedisKey(userid)], arguments: [token] }),
    );
  }

  lockHolder(userid: number): Promise<string | null> {
    return this.call(() => this.redis.get(userCollectionLockRedisKey(userid)));
  }

  async getTask(userid: number): Promise<CollectionTaskStatus | null> {
    return decodeTask(await this.call(() => this.redis.get(userCollectionTaskRedisKey(userid))));
  }

  async setTask(userid: number, status: CollectionTaskStatus, ttlSeconds: number): Promise<void> {
    await this.call(() =>
      this.redis.set(userCollectionTaskRedisKey(userid), JSON.stringify(status), {
        expiration: { type: 'EX', value: ttlSeconds },
      }),
    );
  }

  async deleteTask(userid: number): Promise<void> {
    await this.call(() => this.redis.unlink(userCollectionTaskRedisKey(userid)));
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new UserCollectionStoreUnavailableError(error);
    }
  }
}

interface MemoryEntry {
  value: string;
  expiresAt: number;
}

/** One process only: without `REDIS_URL` there is only one instance to coordinate. */
export class MemoryFetchCoordination implements FetchCoordination {
  private readonly entries = new Map<string, MemoryEntry>();

  acquireLock(userid: number, token: string, ttlMs: number): Promise<boolean> {
    const key = userCollectionLockRedisKey(userid);
    if (this.read(key)) return Promise.resolve(false);
    this.write(key, token, ttlMs);
    return Promise.resolve(true);
  }

  extendLock(userid: number, token: string, ttlMs: number): Promise<boolean> {
    const key = userCollectionLockRedisKey(userid);
    if (this.read(key)?.value !== token) return Promise.resolve(false);
    this.write(key, token, ttlMs);
    return Promise.resolve(true);
  }

  releaseLock(userid: number, token: string): Promise<void> {
    const key = userCollectionLockRedisKey(userid);
    if (this.read(key)?.value === token) this.entries.delete(key);
    return Promise.resolve();
  }

  lockHolder(userid: number): Promise<string | null> {
    return Promise.resolve(this.read(userCollectionLockRedisKey(userid))?.value ?? null);
  }

  getTask(userid: number): Promise<CollectionTaskStatus | null> {
    return Promise.resolve(decodeTask(this.read(userCollectionTaskRedisKey(userid))?.value ?? null));
  }

  setTask(userid: number, status: CollectionTaskStatus, ttlSeconds: number): Promise<void> {
    this.write(userCollectionTaskRedisKey(userid), JSON.stringify(status), ttlSeconds * 1000);
    return Promise.resolve();
  }

  deleteTask(userid: number): Promise<void> {
    this.entries.delete(userCollectionTaskRedisKey(userid));
    return Promise.resolve();
  }

  private read(key: string): MemoryEntry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: string, ttlMs: number): void {
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
  }
}
