import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModuleOptions } from '@nestjs/throttler';
import { FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { API_KEY_HEADER } from '../auth/auth.decorators';
import { matchesAnySecret } from '../auth/constant-time';

const HOUR_MS = 3_600_000;

/**
 * The reference's per-IP hourly limit (default 100), answered as 429 JSON with Retry-After
 * instead of its plain-text 403. Whitelisted IPs and clients presenting a valid key are exempt;
 * `RATE_LIMIT_PER_HOUR=0` turns it off.
 */
export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  const keys = [...config.apiKeys, ...(config.adminApiKey ? [config.adminApiKey] : [])];
  const whitelist = new Set(config.rateLimitWhitelist);
  return {
    throttlers: [{ name: 'default', ttl: HOUR_MS, limit: Math.max(config.rateLimitPerHour, 1) }],
    errorMessage: 'Rate limit exceeded. Please try again later.',
    skipIf: (context: ExecutionContext): boolean => {
      if (config.rateLimitPerHour === 0) return true;
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      if (whitelist.has(request.ip)) return true;
      const key = request.headers[API_KEY_HEADER];
      return typeof key === 'string' && keys.length > 0 && matchesAnySecret(key, keys);
    },
  };
}
