import { DynamicModule, InjectionToken, Module, ModuleMetadata } from '@nestjs/common';
import { InvalidationSubscriber } from '../invalidation.subscriber';
import { OutboxFaults } from './outbox-faults';
import {
  DEFAULT_OUTBOX_DRAINER_OPTIONS,
  OUTBOX_DRAINER_OPTIONS,
  OutboxDrainer,
  OutboxDrainerOptions,
} from './outbox-drainer.service';
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
  /** Test fault: the process dies between a commit and its invalidation (see {@link OutboxFaults}). */
  crashAfterCommit?: boolean;
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
      imports: options.imports ?? [],
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
        {
          provide: OutboxFaults,
          useFactory: (): OutboxFaults =>
            Object.assign(new OutboxFaults(), { crashAfterCommit: options.crashAfterCommit ?? false }),
        },
        InvalidationSubscriber,
        OutboxDrainer,
      ],
      exports: [InvalidationSubscriber, OutboxDrainer, OutboxFaults],
    };
  }
}
