import { FastifyInstance } from 'fastify';
import { RootLogger } from './logger';

/**
 * One access line per request, at `info`, through the request's own logger (which carries
 * `request_id`): method, URL, route pattern, status and duration. Not registered at all when
 * `info` is off (`LOG_LEVEL=warn`, as the benchmarks run) — the level never changes at run
 * time — so the hot path then pays nothing; `LOG_REQUESTS=false` turns it off at any level.
 */
export function logRequests(fastify: FastifyInstance, root: RootLogger): void {
  if (!root.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
    done();
  });
}
