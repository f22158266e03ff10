import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { IncomingHttpHeaders } from 'node:http';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { applyRateDecision } from '../http/rate-limit.guard';
import { RateLimiter } from '../http/rate-limiter';
import { Access, ACCESS_KEY, API_KEY_HEADER } from './auth.decorators';
import { matchesAnySecret } from './constant-time';
import { readAccessCheck } from './read-access';

/**
 * Writes and cache administration need the admin key; with no admin key configured they are
 * refused. Reads need one of `API_KEYS` (or the admin key) only when `API_AUTH_ENABLED`.
 * A refused key counts against the client's rate limit, and once over it the answer is 429:
 * guessing keys costs what any other request costs.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly mayRead: (headers: IncomingHttpHeaders) => boolean;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
  ) {
    this.mayRead = readAccessCheck(config);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (access === 'admin') {
      const presented = request.headers[API_KEY_HEADER];
      const key = typeof presented === 'string' ? presented : undefined;
      if (!this.config.adminApiKey || !key || !matchesAnySecret(key, [this.config.adminApiKey])) {
        this.refuse(context, request);
      }
      return true;
    }
    if (!this.mayRead(request.headers)) this.refuse(context, request);
    return true;
  }

  private refuse(context: ExecutionContext, request: FastifyRequest): never {
    const decision = this.limiter.decide(request.raw, request.ip, request.headers);
    if (decision !== null) applyRateDecision(this.limiter, context, decision);
    throw new UnauthorizedException('Unauthorized');
  }
}
