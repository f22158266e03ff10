import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, register } from 'prom-client';
import { METRICS_REGISTRY } from './cache-metrics';

const NAME = 'fkapi_http_request_duration_seconds';
const FAST_PATH = 'fkapi_http_fast_path_responses_total';

/** Where a cached response was answered without the Nest pipeline (`cache/http/`). */
export type FastPath = 'raw' | 'hook';

/**
 * `fkapi_http_request_duration_seconds{method, route, status_code}`, observed in Fastify's
 * `onResponse` hook. `route` is the route pattern (`/api/kits/:kit_id`), never the raw URL, so
 * the label set stays small; requests that matched no route are `unmatched`.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  readonly duration: Histogram<'method' | 'route' | 'status_code'>;
  readonly fastPathResponses: Counter<'path'>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(METRICS_REGISTRY) registry: Registry = register,
  ) {
    this.duration =
      (registry.getSingleMetric(NAME) as Histogram<'method' | 'route' | 'status_code'> | undefined) ??
      new Histogram({
        name: NAME,
        help: 'HTTP request duration by route pattern and status',
        labelNames: ['method', 'route', 'status_code'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      });
    this.fastPathResponses =
      (registry.getSingleMetric(FAST_PATH) as Counter<'path'> | undefined) ??
      new Counter({
        name: FAST_PATH,
        help: 'Cached responses answered before the Nest pipeline: raw (before Fastify) or hook (preHandler)',
        labelNames: ['path'],
        registers: [registry],
      });
    for (const path of ['raw', 'hook'] as const) this.fastPathResponses.inc({ path }, 0);
  }

  /** Counts one response answered by a fast path. */
  answeredBy(path: FastPath): void {
    this.fastPathResponses.inc({ path });
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
    this.duration.observe({ method, route, status_code: String(status) }, seconds);
  }
}
