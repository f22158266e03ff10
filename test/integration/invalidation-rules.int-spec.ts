import { Injectable } from '@nestjs/common';
import { Column, DataSource, Entity } from 'typeorm';
import { Tag } from '../../src/cache/cache-tags';
import { InvalidatesOn, InvalidationRules, RowChange } from '../../src/cache/invalidation-rules';
import { KitInvalidation } from '../../src/kits/kit.invalidation';
import { CATALOGUE_INVALIDATION_RULES, OutboxInstance, startOutboxInstance } from '../utils/outbox-context';
import {
  connectRedis,
  RecordingInvalidator,
  RedisClient,
  RedisTagIndex,
  testRedisPrefix,
} from '../utils/redis-tag-index';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** A catalogue entity added without rules (its table need not exist: nothing writes it). */
@Entity('gadgets')
class Gadget {
  @Column({ type: 'integer', primary: true }) id!: number;
}

@Injectable()
@InvalidatesOn(Gadget)
class GadgetInvalidation implements InvalidationRules<Gadget> {
  changed({ id }: RowChange<Gadget>): string[] {
    return [Tag.club(id)];
  }
}

/** Declares a cascade only: it does not say what a gadget's own writes drop. */
@Injectable()
@InvalidatesOn(Gadget)
class GadgetCascadeOnly implements InvalidationRules<Gadget> {
  removing(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

let db: TestDatabase;
let redis: RedisClient;
let invalidator: RecordingInvalidator;
const started: OutboxInstance[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await connectRedis();
  invalidator = new RecordingInvalidator(new RedisTagIndex(redis, testRedisPrefix()));
});

afterAll(async () => {
  for (const instance of started) await instance.close();
  await redis.close();
  await db.drop();
});

async function start(options: Parameters<typeof startOutboxInstance>[2]): Promise<OutboxInstance> {
  const instance = await startOutboxInstance(db.url, invalidator, {
    drainer: { pollIntervalMs: 60_000 },
    ...options,
  });
  started.push(instance);
  return instance;
}

describe('invalidation rules checked at boot', () => {
  it('refuses to start when an entity registered in the DataSource has no rules, naming it', async () => {
    await expect(start({ extraEntities: [Gadget] })).rejects.toThrow(
      /entity Gadget has no invalidation rules/,
    );
  });

  it('refuses to start when the kits module does not register its rules, naming Kit', async () => {
    const withoutKits = CATALOGUE_INVALIDATION_RULES.filter((rules) => rules !== KitInvalidation);
    await expect(start({ rules: withoutKits })).rejects.toThrow(/entity Kit has no invalidation rules/);
  });

  it('does not count a provider without a changed() rule as the rules of its entity', async () => {
    await expect(
      start({ extraEntities: [Gadget], rules: [...CATALOGUE_INVALIDATION_RULES, GadgetCascadeOnly] }),
    ).rejects.toThrow(/entity Gadget has no invalidation rules/);
  });

  it('starts once the new entity declares its rules', async () => {
    const instance = await start({
      extraEntities: [Gadget],
      rules: [...CATALOGUE_INVALIDATION_RULES, GadgetInvalidation],
    });
    expect(instance.dataSource).toBeInstanceOf(DataSource);
    expect(instance.dataSource.isInitialized).toBe(true);
  });
});
