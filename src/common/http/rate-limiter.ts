import { Inject, Injectable } from '@nestjs/common';
import { normalizeIp, ThrottlerModuleOptions } from '@nestjs/throttler';
import { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { REDIS_CONNECTION, RedisConnection } from '../../redis/redis-connection';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { API_KEY_HEADER } from '../auth/auth.decorators';
import { matchesAnySecret } from '../auth/constant-time';
import { Clock, CLOCK } from '../clock';
import { DEFAULT_SHARED_THROTTLER_OPTIONS, SharedThrottlerStorage } from './shared-throttler-storage';

const HOUR_MS = 3_600_000;
export const THROTTLER_NAME = 'default';
export const RATE_LIMIT_MESSAGE = 'Rate limit exceeded. Please try again later.';

/** What the limiter decided for one request. */
export interface RateDecision {
  readonly blocked: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the client's window turns: `X-RateLimit-Reset`, or `Retry-After` when blocked. */
  readonly resetSeconds: number;
}

export interface RateLimits {
  readonly limit: number;
  readonly ttlMs: number;
}

const DECIDED = Symbol('fkapi.rateDecision');
type Decided = IncomingMessage & { [DECIDED]?: RateDecision | null };

/**
 * The per-IP hourly limit (the reference's 100 requests an hour, `RATE_LIMIT_PER_HOUR`), in one
 * place for every step that applies it: the throttler guard of the Nest pipeline
 * (`rate-limit.guard.ts`), the API-key guard (a wrong key counts), and the cache-hit path
 * (`cache/http/raw-fast-path.ts`). Exemption (limit off, whitelisted IP, valid key), the
 * client's bucket (its address, IPv6 by /64) and the count (`SharedThrottlerStorage`) live here.
 *
 * A request is decided once: the decision is kept on the raw request, so a hit-path request
 * that falls through to the pipeline (a miss, an error) is not counted a second time and gets
 * the same answer there.
 */
@Injectable()
export class RateLimiter {
  readonly enabled: boolean;
  readonly storage: SharedThrottlerStorage | undefined;
  readonly defaults: RateLimits;
  private readonly keys: readonly string[];
  private readonly whitelist: ReadonlySet<string>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS_CONNECTION) redis: RedisConnection | null,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.enabled = config.rateLimitPerHour > 0;
    // Counted in memory and shared through Redis in batches: no Redis round trip per request.
    const storage = this.enabled
      ? new SharedThrottlerStorage(redis, { ...DEFAULT_SHARED_THROTTLER_OPTIONS, now: clock })
      : undefined;
    this.storage = storage;
    // The hits still waiting (up to a flush interval's) go to the shared counts before the
    // connection closes, each command within the command timeout: a stopping instance's last
    // hits still count on the others.
    if (storage && redis) redis.attach({ stopping: () => storage.flush() });
    this.defaults = { limit: Math.max(config.rateLimitPerHour, 1), ttlMs: HOUR_MS };
    this.keys = [...config.apiKeys, ...(config.adminApiKey ? [config.adminApiKey] : [])];
    this.whitelist = new Set(config.rateLimitWhitelist);
  }

  /** Limit off, a whitelisted address, or a valid key presented. */
  isExempt(ip: string | undefined, headers: IncomingHttpHeaders): boolean {
    if (!this.enabled) return true;
    if (ip !== undefined && this.whitelist.has(ip)) return true;
    const key = headers[API_KEY_HEADER];
    return typeof key === 'string' && this.keys.length > 0 && matchesAnySecret(key, this.keys);
  }

  /**
   * The decision for this request, null when it is exempt: made (and counted) on the first call,
   * the same object on every later call for the same raw request.
   */
  decide(
    raw: IncomingMessage,
    ip: string | undefined,
    headers: IncomingHttpHeaders,
    limits: RateLimits = this.defaults,
  ): RateDecision | null {
    const known = (raw as Decided)[DECIDED];
    if (known !== undefined) return known;
    const decision = this.isExempt(ip, headers) ? null : this.count(ip, limits);
    (raw as Decided)[DECIDED] = decision;
    return decision;
  }

  /** The headers that go with a decision (as the throttler's own guard names them). */
  headersOf(decision: RateDecision): [string, string][] {
    if (decision.blocked) return [['retry-after', String(decision.resetSeconds)]];
    return [
      ['x-ratelimit-limit', String(decision.limit)],
      ['x-ratelimit-remaining', String(decision.remaining)],
      ['x-ratelimit-reset', String(decision.resetSeconds)],
    ];
  }

  /** For `ThrottlerModule`: our storage, one count per client across every route. */
  throttlerOptions(): ThrottlerModuleOptions {
    return {
      throttlers: [{ name: THROTTLER_NAME, ttl: this.defaults.ttlMs, limit: this.defaults.limit }],
      errorMessage: RATE_LIMIT_MESSAGE,
      storage: this.storage,
    };
  }

  private count(ip: string | undefined, limits: RateLimits): RateDecision {
    const storage = this.storage as SharedThrottlerStorage; // enabled, else every request is exempt
    const record = storage.take(trackerOf(ip), limits.ttlMs, limits.limit, THROTTLER_NAME);
    return {
      blocked: record.isBlocked,
      limit: limits.limit,
      remaining: Math.max(0, limits.limit - record.totalHits),
      resetSeconds: record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
    };
  }
}

/** A client's bucket: its address, an IPv6 address by its /64 (one host usually holds a whole /64). */
export function trackerOf(ip: string | undefined): string {
  return ip === undefined ? 'unknown' : normalizeIp(ip);
}
