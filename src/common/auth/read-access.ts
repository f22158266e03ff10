import { IncomingHttpHeaders } from 'node:http';
import { AppConfig } from '../../config/app-config';
import { API_KEY_HEADER } from './auth.decorators';
import { matchesAnySecret } from './constant-time';

/**
 * Whether a request may read: always, unless `API_AUTH_ENABLED`, then only with one of `API_KEYS`
 * or the admin key in `X-API-Key`. Used by the guard and by the cache-hit path.
 */
export function readAccessCheck(config: AppConfig): (headers: IncomingHttpHeaders) => boolean {
  if (!config.apiAuthEnabled) return () => true;
  const readKeys = [...config.apiKeys, ...(config.adminApiKey ? [config.adminApiKey] : [])];
  return (headers) => {
    const key = headers[API_KEY_HEADER];
    return typeof key === 'string' && matchesAnySecret(key, readKeys);
  };
}
