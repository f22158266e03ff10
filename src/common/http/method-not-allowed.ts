import { FastifyInstance } from 'fastify';

/** A route's path pattern as a matcher of concrete paths (`/api/kits/:kit_id` → `/api/kits/[^/]+`). */
function pathMatcher(pattern: string): RegExp {
  const source = pattern
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * The original's 405 for a wrong method on an existing path (`GET /api/user-collection/1/scrape`),
 * with `Allow` listing the methods the path has. The router answers such a request 404 (it
 * resolves method and path together); this `onSend` hook turns a 404 of a request no route
 * matched into a 405 when another method's route matches the path.
 */
export function registerMethodNotAllowed(fastify: FastifyInstance): void {
  const routes: { methods: string[]; matches: RegExp }[] = [];
  fastify.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String);
    routes.push({ methods, matches: pathMatcher(route.url) });
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode !== 404 || request.routeOptions.url !== undefined) return done(null, payload);
    const path = request.url.split('?', 1)[0];
    const allowed = new Set(routes.filter((r) => r.matches.test(path)).flatMap((r) => r.methods));
    if (allowed.size === 0 || allowed.has(request.method)) return done(null, payload);
    void reply
      .status(405)
      .header('allow', [...allowed].sort().join(', '))
      .header('content-type', 'application/json; charset=utf-8');
    done(
      null,
      JSON.stringify({ detail: 'Method not allowed', code: 'method_not_allowed', request_id: request.id }),
    );
  });
}
