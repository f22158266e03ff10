import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Registry, register } from 'prom-client';
import { counter } from './registered-metrics';
import { METRICS_REGISTRY } from './cache-metrics';

export type ReadTarget = 'replica' | 'primary';

/**
 * Why a read that a replica could have served went where it went: `caught_up` (a replica had
 * replayed past the newest invalidation), `lagging` (none had), `unknown` (no watermark or no
 * replay position yet, or Redis did not answer) or `unreachable` (the replica refused a connection).
 */
export type ReadRouteReason = 'caught_up' | 'lagging' | 'unknown' | 'unreachable';

/**
 * `fkapi_db_reads_total{target,reason}`: reads outside a transaction (cache misses, searches,
 * lists) by the server that answered them, when `DATABASE_REPLICA_URLS` is set. Writes and reads
 * inside transactions always use the primary and are not counted.
 */
@Injectable()
export class ReplicaMetrics {
  readonly reads: Counter<'target' | 'reason'>;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry: Registry = register) {
    this.reads = counter(registry, {
      name: 'fkapi_db_reads_total',
      help: 'Reads a replica could serve (outside transactions), by the server that answered and why',
      labelNames: ['target', 'reason'],
    });
    this.reads.inc({ target: 'replica', reason: 'caught_up' }, 0);
    this.reads.inc({ target: 'primary', reason: 'lagging' }, 0);
  }

  read(target: ReadTarget, reason: ReadRouteReason): void {
    this.reads.inc({ target, reason });
  }
}
