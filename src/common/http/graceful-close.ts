import { FastifyInstance } from 'fastify';

const SWEEP_MS = 100;

/**
 * On close, Fastify stops accepting connections and closes the idle keep-alive ones once; a
 * connection whose request was still running becomes idle only afterwards and would hold the
 * close (and the process) until the client or the keep-alive timeout (72 s) drops it. While the
 * server closes, idle connections are therefore closed again every 100 ms, so shutdown ends as
 * soon as the last in-flight request is answered. Nothing runs per request.
 */
export function closeIdleConnectionsWhileClosing(fastify: FastifyInstance): void {
  fastify.addHook('preClose', (done) => {
    const server = fastify.server;
    const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
    sweep.unref();
    server.once('close', () => clearInterval(sweep));
    done();
  });
}
