import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { FastifyReply, FastifyRequest } from 'fastify';
import { RATE_LIMIT_MESSAGE, RateDecision, RateLimiter } from './rate-limiter';

/**
 * `@nestjs/throttler`'s guard (its `@SkipThrottle` and `@Throttle` metadata, its 429 exception)
 * with the decision taken by {@link RateLimiter}, the one implementation the cache-hit path
 * and the API-key guard use too.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {
    super(options, storage, reflector);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the base class's signature
  protected override async handleRequest({ context, limit, ttl }: ThrottlerRequest): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const decision = this.limiter.decide(request.raw, request.ip, request.headers, { limit, ttlMs: ttl });
    if (decision === null) return true;
    applyRateDecision(this.limiter, context, decision);
    return true;
  }
}

/**
 * Sets the decision's headers on the reply and, when it is blocked, throws the throttler's 429
 * (answered as JSON with `Retry-After` by the exception filter).
 */
export function applyRateDecision(
  limiter: RateLimiter,
  context: ExecutionContext,
  decision: RateDecision,
): void {
  const reply = context.switchToHttp().getResponse<FastifyReply>();
  for (const [name, value] of limiter.headersOf(decision)) void reply.header(name, value);
  if (decision.blocked) throw new ThrottlerException(RATE_LIMIT_MESSAGE);
}
