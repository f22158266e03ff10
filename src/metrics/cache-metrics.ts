import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, register } from 'prom-client';
import { counter, gauge, histogram } from './registered-metrics';
import { CACHE_TYPES } from '../cache/cache-key';

/** Injection token of the prom-client registry the metrics live in (the default registry in the app). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** Cache operations whose failures `fkapi_cache_errors_total{operation}` counts. */
export type CacheOperation =
  'get' | 'set' | 'sequence' | 'invalidate' | 'delete' | 'clear' | 'stats' | 'ping' | 'recovery';

/** Hits answered from process memory by the L1 (`cache/l1-cache.ts`), read when scraped. */
export const l1Answers = { hits: 0 };

/**
 * Hits not yet added to their counter, per counter and cache_type: a hit costs a map update,
 * and the counter takes them when it is read (scrape, stats). prom-client's `inc(labels)`
 * validates and hashes the labels on every call, a visible share of a cached hit's time.
 */
const pendingHits = new WeakMap<Counter<'cache_type'>, Map<string, number>>();

function pendingOf(counter: Counter<'cache_type'>): Map<string, number> {
  let pending = pendingHits.get(counter);
  if (pending === undefined) pendingHits.set(counter, (pending = new Map<string, number>()));
  return pending;
}

/**
 * The cache's Prometheus metrics, with the seed's names (`fkapi_cache_hits_total`,
 * `fkapi_cache_misses_total`, `fkapi_cache_entries`, label `cache_type`) and ours. Metrics are
 * looked up before being created, so several applications in one process (the e2e tests) share
 * them instead of failing on a duplicate registration.
 */
@Injectable()
export class CacheMetrics {
  readonly hits: Counter<'cache_type'>;
  readonly misses: Counter<'cache_type'>;
  readonly entries: Gauge<'cache_type'>;
  readonly invalidations: Counter;
  readonly invalidatedEntries: Counter;
  readonly errors: Counter<'operation'>;
  readonly invalidationDuration: Histogram;
  readonly l1Hits: Counter;
  private readonly pendingHits: Map<string, number>;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry: Registry = register) {
    this.hits = counter(registry, {
      name: 'fkapi_cache_hits_total',
      help: 'Total number of cache hits',
      labelNames: ['cache_type'],
      collect() {
        const pending = pendingOf(this);
        for (const [cacheType, count] of pending) this.inc({ cache_type: cacheType }, count);
        pending.clear();
      },
    });
    this.pendingHits = pendingOf(this.hits);
    this.l1Hits = counter(registry, {
      name: 'fkapi_cache_l1_hits_total',
      help: 'Cache hits answered from process memory by the L1 (CACHE_L1_ENABLED), included in fkapi_cache_hits_total',
      collect() {
        this.reset();
        this.inc(l1Answers.hits);
      },
    });
    this.misses = counter(registry, {
      name: 'fkapi_cache_misses_total',
      help: 'Total number of cache misses',
      labelNames: ['cache_type'],
    });
    this.entries = gauge(registry, {
      name: 'fkapi_cache_entries',
      help: 'Number of entries in cache',
      labelNames: ['cache_type'],
    });
    this.invalidations = counter(registry, {
      name: 'fkapi_cache_invalidations_total',
      help: 'Invalidations applied (one per batch of tags, per deleted key or per namespace clear)',
    });
    this.invalidatedEntries = counter(registry, {
      name: 'fkapi_cache_invalidated_entries_total',
      help: 'Cache entries deleted by invalidations',
    });
    this.errors = counter(registry, {
      name: 'fkapi_cache_errors_total',
      help: 'Cache operations that failed or were skipped because the cache store was unavailable',
      labelNames: ['operation'],
    });
    this.invalidationDuration = histogram(registry, {
      name: 'fkapi_cache_invalidation_duration_seconds',
      help: 'Time to apply one invalidation in the cache store',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    });
  }

  hit(cacheType: string): void {
    this.pendingHits.set(cacheType, (this.pendingHits.get(cacheType) ?? 0) + 1);
  }

  miss(cacheType: string): void {
    this.misses.inc({ cache_type: cacheType });
  }

  error(operation: CacheOperation, count = 1): void {
    this.errors.inc({ operation }, count);
  }

  invalidated(deleted: number, seconds: number): void {
    this.invalidations.inc();
    this.invalidatedEntries.inc(deleted);
    this.invalidationDuration.observe(seconds);
  }

  /** Sets the entries gauge from a fresh count (every known cache_type shows, 0 when empty). */
  setEntries(counts: Readonly<Record<string, number>>): void {
    this.entries.reset();
    for (const cacheType of CACHE_TYPES) this.entries.set({ cache_type: cacheType }, counts[cacheType] ?? 0);
    for (const [cacheType, count] of Object.entries(counts))
      this.entries.set({ cache_type: cacheType }, count);
  }
}
