import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OutboxDrainer, OutboxDrainerOptions } from '../../src/cache/outbox/outbox-drainer.service';
import { OutboxFaults } from '../../src/cache/outbox/outbox-faults';
import { OutboxModule } from '../../src/cache/outbox/outbox.module';
import { ReadsResumeGate } from '../../src/cache/outbox/reads-resume-gate';
import { TagInvalidator } from '../../src/cache/outbox/tag-invalidator';
import { dataSourceOptions } from '../../src/database/data-source-options';

const TEST_INVALIDATOR = Symbol('TEST_INVALIDATOR');
const TEST_CACHE_STORE = Symbol('TEST_CACHE_STORE');

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
  faults: OutboxFaults;
  close(): Promise<void>;
}

/**
 * Starts the outbox module (subscriber + drainer, lifecycle hooks included: the drain at start
 * has run when this resolves) on `databaseUrl`, invalidating through `invalidator`.
 */
export async function startOutboxInstance(
  databaseUrl: string,
  invalidator: TagInvalidator,
  options: { drainer?: Partial<OutboxDrainerOptions>; gate?: ReadsResumeGate } = {},
): Promise<OutboxInstance> {
  const context = await NestFactory.createApplicationContext(
    {
      module: class OutboxTestApp {},
      imports: [
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl, 4)),
        OutboxModule.forRoot({
          imports: [TestCacheModule.with(invalidator, options.gate)],
          invalidator: TEST_INVALIDATOR,
          readsResumeGate: options.gate ? TEST_CACHE_STORE : undefined,
          drainer: options.drainer,
        }),
      ],
    },
    { logger: false, abortOnError: false },
  );
  return {
    context,
    dataSource: context.get(DataSource),
    drainer: context.get(OutboxDrainer),
    faults: context.get(OutboxFaults),
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
