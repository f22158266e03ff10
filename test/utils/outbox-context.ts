import { DynamicModule, INestApplicationContext, Module, Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OutboxDrainer, OutboxDrainerOptions } from '../../src/cache/outbox/outbox-drainer.service';
import { OutboxModule } from '../../src/cache/outbox/outbox.module';
import { InvalidationSubscriber } from '../../src/cache/invalidation.subscriber';
import { ReadsResumeGate } from '../../src/cache/outbox/reads-resume-gate';
import { TagInvalidator } from '../../src/cache/outbox/tag-invalidator';
import { BrandInvalidation } from '../../src/brands/brand.invalidation';
import { EntityClass } from '../../src/cache/invalidation-rules';
import { ClubInvalidation } from '../../src/clubs/club.invalidation';
import { ColorInvalidation } from '../../src/colors/color.invalidation';
import { Variation } from '../../src/colors/variation.entity';
import { CompetitionInvalidation } from '../../src/competitions/competition.invalidation';
import { dataSourceOptions, ENTITIES } from '../../src/database/data-source-options';
import { KitTypeInvalidation } from '../../src/kit-types/kit-type.invalidation';
import { KitInvalidation, KitsDeletedWithParent } from '../../src/kits/kit.invalidation';
import { SeasonInvalidation } from '../../src/seasons/season.invalidation';

const TEST_INVALIDATOR = Symbol('TEST_INVALIDATOR');
const TEST_CACHE_STORE = Symbol('TEST_CACHE_STORE');

/** The invalidation rules the catalogue modules register in the application (`@InvalidatesOn`). */
export const CATALOGUE_INVALIDATION_RULES: Provider[] = [
  ClubInvalidation,
  SeasonInvalidation,
  BrandInvalidation,
  CompetitionInvalidation,
  KitInvalidation,
  KitsDeletedWithParent,
  KitTypeInvalidation,
  ColorInvalidation,
];

@Module({})
class TestRulesModule {
  static with(rules: Provider[]): DynamicModule {
    return { module: TestRulesModule, providers: rules };
  }
}

@Module({})
class TestCacheModule {
  static with(invalidator: TagInvalidator, gate?: ReadsResumeGate): DynamicModule {
    const providers = [
      { provide: TEST_INVALIDATOR, useValue: invalidator },
      ...(gate ? [{ provide: TEST_CACHE_STORE, useValue: gate }] : []),
    ];
    return { module: TestCacheModule, providers, exports: providers.map((p) => p.provide) };
  }
}

/** One application instance as far as the outbox is concerned: its own DataSource and drainer. */
export interface OutboxInstance {
  context: INestApplicationContext;
  dataSource: DataSource;
  drainer: OutboxDrainer;
  /**
   * From now on this instance behaves as if its process died right after each commit: the
   * outbox row is committed with the data, and nothing invalidates it until a drainer does.
   */
  dieAfterCommits(): void;
  close(): Promise<void>;
}

/**
 * Starts the outbox module (subscriber + drainer, lifecycle hooks included: the drain at start
 * has run when this resolves) on `databaseUrl`, invalidating through `invalidator`.
 */
export async function startOutboxInstance(
  databaseUrl: string,
  invalidator: TagInvalidator,
  options: {
    drainer?: Partial<OutboxDrainerOptions>;
    gate?: ReadsResumeGate;
    /** Default: every catalogue module's rules. */
    rules?: Provider[];
    /** Entities registered in the DataSource besides the application's. */
    extraEntities?: EntityClass[];
  } = {},
): Promise<OutboxInstance> {
  const context = await NestFactory.createApplicationContext(
    {
      module: class OutboxTestApp {},
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, 4),
          entities: [...ENTITIES, ...(options.extraEntities ?? [])],
        }),
        TestRulesModule.with(options.rules ?? CATALOGUE_INVALIDATION_RULES),
        OutboxModule.forRoot({
          imports: [TestCacheModule.with(invalidator, options.gate)],
          invalidator: TEST_INVALIDATOR,
          readsResumeGate: options.gate ? TEST_CACHE_STORE : undefined,
          drainer: options.drainer,
          notCached: [Variation],
        }),
      ],
    },
    { logger: false, abortOnError: false },
  );
  return {
    context,
    dataSource: context.get(DataSource),
    drainer: context.get(OutboxDrainer),
    dieAfterCommits: () => {
      jest.spyOn(context.get(InvalidationSubscriber), 'invalidateCommitted').mockResolvedValue();
    },
    close: () => context.close(),
  };
}

/** Polls `condition` until it holds (or fails the test after `timeoutMs`). */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
