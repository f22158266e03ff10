import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance } from 'fastify';
import { Counter, Registry, register } from 'prom-client';
import { METRICS_REGISTRY } from './cache-metrics';
import { HistogramSeries, SeriesHistogram } from './series-histogram';

const NAME = 'fkapi_http_request_duration_seconds';
const FAST_PATH = 'fkapi_http_fast_path_responses_total';

/** Where a cached response was answered without the Nest pipeline (`cache/http/`). */
export type FastPath = 'raw' | 'hook';

/**
 * Fast-path answers of this process, read into the counter when it is scraped (one metric per
 * process, shared by every application a test builds in it): an increment on the hot path is
 * then one addition.
 */
const fastPathAnswers: Record<FastPath, number> = { raw: 0, hook: 0 };

/**
 * `fkapi_http_request_duration_seconds{method, route, status_code}`, observed in Fastify's
 * `onResponse` hook. `route` is the route pattern (`/api/kits/:kit_id`), never the raw URL, so
 * the label set stays small; requests that matched no route are `unmatched`.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  readonly duration: SeriesHistogram<'method' | 'route' | 'status_code'>;
  readonly fastPathResponses: Counter<'path'>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(METRICS_REGISTRY) registry: Registry = register,
  ) {
    this.duration =
      (registry.getSingleMetric(NAME) as unknown as
        SeriesHistogram<'method' | 'route' | 'status_code'> | undefined) ??
      new SeriesHistogram(
        NAME,
        'HTTP request duration by route pattern and status',
        ['method', 'route', 'status_code'],
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registry,
      );
    this.fastPathResponses =
      (registry.getSingleMetric(FAST_PATH) as Counter<'path'> | undefined) ??
      new Counter({
        name: FAST_PATH,
        help: 'Cached responses answered before the Nest pipeline: raw (before Fastify) or hook (preHandler)',
        labelNames: ['path'],
        registers: [registry],
        collect() {
          this.reset();
          for (const path of ['raw', 'hook'] as const) this.inc({ path }, fastPathAnswers[path]);
        },
      });
  }

  /** Counts one response answered by a fast path. */
  answeredBy(path: FastPath): void {
    fastPathAnswers[path]++;
  }

  /** The duration series of one method, route and status, to keep and observe into. */
  series(method: string, route: string, status: number): HistogramSeries {
    return this.duration.series(method, route, String(status));
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return; // not a Fastify application (unit tests of modules)
    fastify.addHook('onResponse', (request, reply, done) => {
      this.observe(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.duration.series(method, route, String(status)).observe(seconds);
  }
}
