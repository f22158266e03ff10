import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance } from 'fastify';
import { Counter, Registry, register } from 'prom-client';
import { METRICS_REGISTRY } from './cache-metrics';
import { counter, registered } from './registered-metrics';
import { SeriesHistogram } from './series-histogram';

const NAME = 'fkapi_http_request_duration_seconds';
const FAST_PATH = 'fkapi_http_fast_path_responses_total';
const HIT_PATH_ERRORS = 'fkapi_http_hit_path_errors_total';

/** Where a cached response was answered without the Nest pipeline: the cache-hit path (`cache/http/`). */
export type FastPath = 'raw';

/**
 * Fast-path answers of this process, read into the counter when it is scraped (one metric per
 * process, shared by every application a test builds in it): an increment on the hot path is
 * then one addition.
 */
const fastPathAnswers: Record<FastPath, number> = { raw: 0 };
let hitPathErrors = 0;

/**
 * `fkapi_http_request_duration_seconds{method, route, status_code}`, observed in Fastify's
 * `onResponse` hook. `route` is the route pattern (`/api/kits/:kit_id`), never the raw URL, so
 * the label set stays small; requests that matched no route are `unmatched`.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  readonly duration: SeriesHistogram<'method' | 'route' | 'status_code'>;
  readonly fastPathResponses: Counter<'path'>;
  readonly hitPathErrors: Counter;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(METRICS_REGISTRY) registry: Registry = register,
  ) {
    this.duration = registered(
      registry,
      NAME,
      () =>
        new SeriesHistogram<'method' | 'route' | 'status_code'>(
          NAME,
          'HTTP request duration by route pattern and status',
          ['method', 'route', 'status_code'],
          [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registry,
        ),
    );
    this.fastPathResponses = counter(registry, {
      name: FAST_PATH,
      help: 'Cached responses answered by the cache-hit path, before Fastify and the Nest pipeline',
      labelNames: ['path'],
      collect() {
        this.reset();
        this.inc({ path: 'raw' }, fastPathAnswers.raw);
      },
    });
    this.hitPathErrors = counter(registry, {
      name: HIT_PATH_ERRORS,
      help: 'Errors inside the cache-hit path; each request was answered by the pipeline instead',
      collect() {
        this.reset();
        this.inc(hitPathErrors);
      },
    });
  }

  /** Counts one response answered by a fast path. */
  answeredBy(path: FastPath): void {
    fastPathAnswers[path]++;
  }

  /** Counts one error inside the cache-hit path. */
  hitPathFailed(): void {
    hitPathErrors++;
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
