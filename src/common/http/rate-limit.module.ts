import { Global, Module } from '@nestjs/common';
import { RateLimiter } from './rate-limiter';

/** The one {@link RateLimiter} of the application, for the guards and the cache-hit path. */
@Global()
@Module({ providers: [RateLimiter], exports: [RateLimiter] })
export class RateLimitModule {}
