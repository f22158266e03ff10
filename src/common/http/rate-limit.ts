import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModuleOptions } from '@nestjs/throttler';
import { FastifyRequest } from 'fastify';
import { IncomingHttpHeaders } from 'node:http';
import { AppConfig } from '../../config/app-config';
import { API_KEY_HEADER } from '../auth/auth.decorators';
import { matchesAnySecret } from '../auth/constant-time';
import { RedisClient } from '../../cache/redis-client';
import { SharedThrottlerStorage } from './shared-throttler-storage';

const HOUR_MS = 3_600_000;

/**
 * Whether a request is exempt from the hourly limit: limit off (`RATE_LIMIT_PER_HOUR=0`), a
 * whitelisted IP, or a valid key presented. Shared by the throttler and the cached-response fast
 * paths, which only answer requests that no guard could refuse (an unknown `ip` matches no
 * whitelist entry).
 */
export function rateLimitExemption(
  config: AppConfig,
): (ip: string | undefined, headers: IncomingHttpHeaders) => boolean {
  if (config.rateLimitPerHour === 0) return () => true;
  const keys = [...config.apiKeys, ...(config.adminApiKey ? [config.adminApiKey] : [])];
  const whitelist = new Set(config.rateLimitWhitelist);
  return (ip, headers) => {
    if (ip !== undefined && whitelist.has(ip)) return true;
    const key = headers[API_KEY_HEADER];
    return typeof key === 'string' && keys.length > 0 && matchesAnySecret(key, keys);
  };
}

/**
 * The reference's per-IP hourly limit (default 100), answered as 429 JSON with Retry-After
 * instead of its plain-text 403. Whitelisted IPs and clients presenting a valid key are exempt;
 * `RATE_LIMIT_PER_HOUR=0` turns it off.
 */
export function rateLimitOptions(
  config: AppConfig,
  redis: RedisClient | null = null,
): ThrottlerModuleOptions {
  const exempt = rateLimitExemption(config);
  return {
    throttlers: [{ name: 'default', ttl: HOUR_MS, limit: Math.max(config.rateLimitPerHour, 1) }],
    errorMessage: 'Rate limit exceeded. Please try again later.',
    // One count per client across every route (the reference's "100 requests per hour per IP"),
    // not the throttler's default of one count per route.
    generateKey: (_context: ExecutionContext, tracker: string): string => tracker,
    // Counted in memory and shared through Redis in batches (no Redis round trip per request); nothing
    // is allocated when the limit is off.
    storage: config.rateLimitPerHour === 0 ? undefined : new SharedThrottlerStorage(redis),
    skipIf: (context: ExecutionContext): boolean => {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      return exempt(request.ip, request.headers);
    },
  };
}
