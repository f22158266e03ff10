import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../errors/error-body';

export const ACCESS_KEY = 'fkapi:access';
export type Access = 'public' | 'admin';

/** Open even when read authentication is on (health, as in the reference). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_KEY, 'public' satisfies Access);

/** Needs `X-API-Key` equal to `ADMIN_API_KEY` (writes and cache administration). */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, 'admin' satisfies Access),
    ApiSecurity('api-key'),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'Missing or wrong X-API-Key' }),
  );

export const API_KEY_HEADER = 'x-api-key';
export const ApiKeyHeaderDoc = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'X-API-Key',
    required: false,
    description: 'Needed when read authentication is enabled',
  });
