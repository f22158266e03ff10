import { FastifyRequest } from 'fastify';
import { IncomingHttpHeaders } from 'node:http';
import { AppConfig } from '../../config/app-config';
import { API_KEY_HEADER } from './auth.decorators';
import { matchesAnySecret } from './constant-time';

/**
 * Whether a request may read: always, unless `API_AUTH_ENABLED`, then only with one of `API_KEYS`
 * or the admin key in `X-API-Key`. Used by the guard and by the cached-response fast path.
 */
export function readAccessCheck(config: AppConfig): (headers: IncomingHttpHeaders) => boolean {
  if (!config.apiAuthEnabled) return () => true;
  const readKeys = [...config.apiKeys, ...(config.adminApiKey ? [config.adminApiKey] : [])];
  return (headers) => {
    const key = headers[API_KEY_HEADER];
    return typeof key === 'string' && matchesAnySecret(key, readKeys);
  };
}

const PLAIN_READ = Symbol('fkapi.plainRead');
type Marked = FastifyRequest & { [PLAIN_READ]?: true };

/**
 * Set by the guard on a request to a route that only needs read access (neither public nor
 * admin). The fast path learns a URL only from such requests, so it can never answer a route
 * that needs more than the read check it repeats.
 */
export function markPlainRead(request: FastifyRequest): void {
  (request as Marked)[PLAIN_READ] = true;
}

export function isPlainRead(request: FastifyRequest): boolean {
  return (request as Marked)[PLAIN_READ] === true;
}
