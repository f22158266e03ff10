import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CacheMetrics } from '../metrics/cache-metrics';
import { CACHE_STORE, CacheStore } from './cache-store';
import { MARKER_TTL_MS } from './tag-index-rules';
import { attachCachedPayload } from './cached-payload';
import { SingleFlight } from './single-flight';

/** What one cached read stores, and under which tags. */
export interface CachedRead<T> {
  /** From `entryKey` (without the `fkapi:` namespace). */
  key: string;
  /** `fkapi_cache_*{cache_type}` label: the key family (club, search, …). */
  cacheType: string;
  /** Defaults to `CACHE_TTL_SECONDS` (3600). */
  ttlSeconds?: number;
  /** The tags of every entity the value contains, plus its family tags (`cache-tags.ts`). */
  tags: (value: T) => readonly string[];
}

type Outcome = { hit: true; json: string } | { hit: false; value: unknown; json: string | undefined };

/**
 * The read path of docs/DESIGN.md §4: key → one `GET` → on a hit, the stored JSON; on a miss, one
 * computation per key and invalidation sequence in this process (single-flight), whose result
 * is stored with its tags unless a write invalidated one of them meanwhile. Errors of the
 * computation (a 404 domain error, a database failure) reach every caller waiting on it and are
 * never stored.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger('Cache');
  private readonly flights = new SingleFlight<Outcome>();

  constructor(
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    private readonly metrics: CacheMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The value: parsed from the stored JSON on a hit, else computed (callers that shared one
   * computation share its result object, so treat it as read-only).
   */
  async read<T>(spec: CachedRead<T>, compute: () => Promise<T>): Promise<T> {
    const outcome = await this.fetch(spec, compute);
    const value = (outcome.hit ? JSON.parse(outcome.json) : outcome.value) as T;
    if (outcome.json !== undefined) {
      attachCachedPayload(value, {
        key: spec.key,
        cacheType: spec.cacheType,
        json: outcome.json,
        ttlSeconds: spec.ttlSeconds ?? this.config.cacheTtlSeconds,
      });
    }
    return value;
  }

  /**
   * The value as the JSON text a response body needs: on a hit the stored string untouched, so
   * a controller can send it without parsing and re-serialising (`undefined` when the
   * computation returned nothing).
   */
  async readJson<T>(spec: CachedRead<T>, compute: () => Promise<T>): Promise<string | undefined> {
    const outcome = await this.fetch(spec, compute);
    return outcome.json;
  }

  private async fetch<T>(spec: CachedRead<T>, compute: () => Promise<T>): Promise<Outcome> {
    // One round trip: the entry and the invalidation sequence, read before any database query,
    // so a write invalidated after this point refuses the set of what a miss computes, and a
    // computation begun before such a write is not joined (`SingleFlight`).
    const { value: json, sequence } = await this.store.lookup(spec.key);
    if (json !== null) {
      this.metrics.hit(spec.cacheType);
      return { hit: true, json };
    }
    this.metrics.miss(spec.cacheType);
    return this.flights.run(spec.key, sequence, () => this.computeAndStore(spec, compute, sequence));
  }

  private async computeAndStore<T>(
    spec: CachedRead<T>,
    compute: () => Promise<T>,
    sequence: number | null,
  ): Promise<Outcome> {
    const started = Date.now();
    const value = await compute();
    if (value === undefined) return { hit: false, value, json: undefined };
    const json = JSON.stringify(value);
    // Past half the marker lifetime the markers that would refuse a stale set may be gone.
    if (sequence !== null && Date.now() - started < MARKER_TTL_MS / 2) {
      let tags: readonly string[];
      try {
        tags = spec.tags(value);
      } catch (error) {
        this.logger.error(
          `Tags of ${spec.key} failed; not cached`,
          error instanceof Error ? error.stack : error,
        );
        return { hit: false, value, json };
      }
      await this.store.setWithTags(
        {
          key: spec.key,
          value: json,
          ttlSeconds: spec.ttlSeconds ?? this.config.cacheTtlSeconds,
          cacheType: spec.cacheType,
          tags,
        },
        sequence,
      );
    }
    return { hit: false, value, json };
  }
}
