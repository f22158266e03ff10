import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Access, ACCESS_KEY, API_KEY_HEADER } from './auth.decorators';
import { matchesAnySecret } from './constant-time';

/**
 * Writes and cache administration need the admin key; with no admin key configured they are
 * refused. Reads need one of `API_KEYS` (or the admin key) only when `API_AUTH_ENABLED`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly readKeys: readonly string[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.readKeys = [...config.apiKeys, ...(config.adminApiKey ? [config.adminApiKey] : [])];
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access === 'public') return true;
    const presented = context.switchToHttp().getRequest<FastifyRequest>().headers[API_KEY_HEADER];
    const key = typeof presented === 'string' ? presented : undefined;
    if (access === 'admin') {
      if (!this.config.adminApiKey || !key || !matchesAnySecret(key, [this.config.adminApiKey])) {
        throw new UnauthorizedException('Unauthorized');
      }
      return true;
    }
    if (this.config.apiAuthEnabled && (!key || !matchesAnySecret(key, this.readKeys))) {
      throw new UnauthorizedException('Unauthorized');
    }
    return true;
  }
}
