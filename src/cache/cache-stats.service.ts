import { Inject, Injectable } from '@nestjs/common';
import { MetricObjectWithValues, MetricValue } from 'prom-client';
import { CacheMetrics } from '../metrics/cache-metrics';
import { CACHE_TYPES } from './cache-key';
import { CACHE_STORE, CacheStore } from './cache-store';
import { CacheStatsDto } from './dto/cache-admin.dto';

function byType(metric: MetricObjectWithValues<MetricValue<'cache_type'>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const { labels, value } of metric.values) {
    const type = String(labels.cache_type);
    out.set(type, (out.get(type) ?? 0) + value);
  }
  return out;
}

const ratio = (hits: number, misses: number): number | null =>
  hits + misses === 0 ? null : Math.round((hits / (hits + misses)) * 10_000) / 10_000;

/** Entries per cache_type (from the store's indexes, never a scan) and this process's hit ratio. */
@Injectable()
export class CacheStatsService {
  constructor(
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    private readonly metrics: CacheMetrics,
  ) {}

  /**
   * Counts live entries per cache_type and sets the `fkapi_cache_entries` gauge; null when the
   * store cannot be reached (the gauge keeps its last values, the error is counted).
   */
  async refreshEntries(): Promise<Record<string, number> | null> {
    try {
      const counts = await this.store.countEntries();
      this.metrics.setEntries(counts);
      return counts;
    } catch {
      return null;
    }
  }

  async stats(): Promise<CacheStatsDto> {
    const [entries, hits, misses] = await Promise.all([
      this.refreshEntries(),
      this.metrics.hits.get().then(byType),
      this.metrics.misses.get().then(byType),
    ]);
    const types = [
      ...new Set([...CACHE_TYPES, ...Object.keys(entries ?? {}), ...hits.keys(), ...misses.keys()]),
    ];
    const rows = types.map((cacheType) => {
      const h = hits.get(cacheType) ?? 0;
      const m = misses.get(cacheType) ?? 0;
      return {
        cache_type: cacheType,
        entries: entries ? (entries[cacheType] ?? 0) : null,
        hits: h,
        misses: m,
        hit_ratio: ratio(h, m),
      };
    });
    const totalHits = rows.reduce((sum, row) => sum + row.hits, 0);
    const totalMisses = rows.reduce((sum, row) => sum + row.misses, 0);
    return {
      store: this.store.kind,
      available: entries !== null,
      total_entries: entries ? Object.values(entries).reduce((sum, n) => sum + n, 0) : null,
      hits: totalHits,
      misses: totalMisses,
      hit_ratio: ratio(totalHits, totalMisses),
      by_type: rows,
    };
  }
}
