import { DynamicModule, InjectionToken, Module, ModuleMetadata } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { EntityClass } from '../invalidation-rules';
import { InvalidationRulesRegistry, NOT_CACHED_ENTITIES } from '../invalidation-rules.registry';
import { InvalidationSubscriber } from '../invalidation.subscriber';
import { InvalidationsBeforeResponseInterceptor } from './invalidations-before-response';
import {
  DEFAULT_OUTBOX_DRAINER_OPTIONS,
  OUTBOX_DRAINER_OPTIONS,
  OutboxDrainer,
  OutboxDrainerOptions,
} from './outbox-drainer.service';
import { CacheOutboxEntry } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';
import { READS_RESUME_GATE } from './reads-resume-gate';
import { TAG_INVALIDATOR } from './tag-invalidator';

export interface OutboxModuleOptions {
  /** The provider that implements `TagInvalidator` (e.g. `CacheInvalidationService`). */
  invalidator: InjectionToken;
  /**
   * The provider that implements `ReadsResumeGate` (the cache store, `CACHE_STORE`): the drainer
   * registers its recovery task there. Without it, pending rows are drained at start, by the
   * loop and at shutdown, but reads may resume before the loop's next pass.
   */
  readsResumeGate?: InjectionToken;
  /** Modules exporting those providers, unless they are global. */
  imports?: ModuleMetadata['imports'];
  drainer?: Partial<OutboxDrainerOptions>;
  /** Entities no cached read contains: they need no `@InvalidatesOn` rules (the outbox's own is added). */
  notCached?: EntityClass[];
}

/**
 * After-commit invalidation and its outbox: registers `InvalidationSubscriber` on the application's
 * DataSource and runs `OutboxDrainer`. Needs TypeORM's DataSource (TypeOrmModule.forRoot).
 */
@Module({})
export class OutboxModule {
  static forRoot(options: OutboxModuleOptions): DynamicModule {
    return {
      module: OutboxModule,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        { provide: TAG_INVALIDATOR, useExisting: options.invalidator },
        ...(options.readsResumeGate
          ? [{ provide: READS_RESUME_GATE, useExisting: options.readsResumeGate }]
          : []),
        {
          provide: OUTBOX_DRAINER_OPTIONS,
          useValue: { ...DEFAULT_OUTBOX_DRAINER_OPTIONS, ...options.drainer },
        },
        OutboxRepository,
        { provide: NOT_CACHED_ENTITIES, useValue: [CacheOutboxEntry, ...(options.notCached ?? [])] },
        InvalidationRulesRegistry,
        InvalidationSubscriber,
        OutboxDrainer,
        { provide: APP_INTERCEPTOR, useClass: InvalidationsBeforeResponseInterceptor },
      ],
      exports: [InvalidationSubscriber, OutboxDrainer],
    };
  }
}
