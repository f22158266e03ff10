import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { TagInvalidator } from '../../src/cache/outbox/tag-invalidator';
import { BASE_REDIS_URL } from './services';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A connected node-redis client that fails fast like the application's: no offline queue, so a
 * command sent while the connection is down rejects at once; reconnects every 20 ms.
 */
export async function connectRedis(url = BASE_REDIS_URL): Promise<RedisClient> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: () => 20 },
  });
  // Connection errors are expected while a test cuts the connection; commands report their own.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A key namespace of this test file's own in the shared Redis. */
export function testRedisPrefix(): string {
  return `fkapi-test-${randomBytes(6).toString('hex')}:`;
}

/**
 * A minimal tag index for the outbox tests (the real one is the cache module's): each tag is a
 * set of the keys stored under it; invalidating a tag UNLINKs its keys and the set.
 */
export class RedisTagIndex implements TagInvalidator {
  constructor(
    private readonly client: RedisClient,
    readonly prefix: string,
  ) {}

  async put(key: string, tags: readonly string[]): Promise<void> {
    const multi = this.client.multi().set(this.prefix + key, 'cached');
    for (const tag of tags) multi.sAdd(this.tagKey(tag), this.prefix + key);
    await multi.exec();
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.prefix + key)) === 1;
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      const keys = await this.client.sMembers(this.tagKey(tag));
      await this.client.unlink([...keys, this.tagKey(tag)]);
    }
  }

  /** Removes everything this index wrote. */
  async clear(): Promise<void> {
    for await (const keys of this.client.scanIterator({ MATCH: `${this.prefix}*`, COUNT: 1000 }))
      if (keys.length > 0) await this.client.unlink(keys);
  }

  private tagKey(tag: string): string {
    return `${this.prefix}tag:${tag}`;
  }
}

/** Wraps a real invalidator and records every call, in order, with its outcome. */
export class RecordingInvalidator implements TagInvalidator {
  readonly calls: { tags: string[]; succeeded: boolean }[] = [];

  constructor(private readonly inner: TagInvalidator) {}

  async invalidateTags(tags: readonly string[]): Promise<void> {
    const call = { tags: [...tags].sort(), succeeded: false };
    try {
      await this.inner.invalidateTags(tags);
      call.succeeded = true;
    } finally {
      this.calls.push(call);
    }
  }

  /** Sorted union of the tags of every successful call. */
  invalidated(): string[] {
    return [...new Set(this.calls.filter((c) => c.succeeded).flatMap((c) => c.tags))].sort();
  }

  reset(): void {
    this.calls.length = 0;
  }
}
