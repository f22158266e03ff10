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
      accessLine(
        request.method,
        request.url,
        request.routeOptions.url ?? null,
        reply.statusCode,
        reply.elapsedTime,
      ),
      ACCESS_LINE_MESSAGE,
    );
    done();
  });
}

export const ACCESS_LINE_MESSAGE = 'request completed';

/** The fields of an access line, for the pipeline's hook and the cache-hit path alike. */
export function accessLine(
  method: string,
  url: string,
  route: string | null,
  status: number,
  milliseconds: number,
): { method: string; url: string; route: string | null; status: number; duration_ms: number } {
  return { method, url, route, status, duration_ms: Math.round(milliseconds * 100) / 100 };
}
