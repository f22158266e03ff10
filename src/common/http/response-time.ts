import { FastifyInstance, FastifyRequest } from 'fastify';

export const RESPONSE_TIME_HEADER = 'x-response-time';

/** The original's rendering: seconds with three decimals and an `s` (`0.123s`). */
export function formatResponseTime(elapsedNanoseconds: bigint): string {
  return formatSeconds(Number(elapsedNanoseconds) / 1e9);
}

/** `formatResponseTime` from seconds (the cache-hit path measures with `performance.now()`). */
export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(3)}s`;
}

const STARTED = Symbol('fkapi.startedAt');
type Timed = FastifyRequest & { [STARTED]?: bigint };

/**
 * `X-Response-Time` on every response that goes through Fastify, measured from the first
 * `onRequest` hook to `onSend` (the body serialised, not yet written). The cache-hit path sets
 * the same header on its answers (`cache/http/raw-fast-path.ts`).
 */
export function registerResponseTime(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as Timed)[STARTED] = process.hrtime.bigint();
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const started = (request as Timed)[STARTED];
    if (started !== undefined) {
      void reply.header(RESPONSE_TIME_HEADER, formatResponseTime(process.hrtime.bigint() - started));
    }
    done(null, payload);
  });
}
