import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiHeader, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../errors/error-body';

export const ACCESS_KEY = 'fkapi:access';
export type Access = 'public' | 'admin';

/** Marks an open operation in the generated document, which then declares `security: []`. */
export const PUBLIC_OPERATION_EXTENSION = 'x-public';

/** Open even when read authentication is on (health, as in the reference). */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, 'public' satisfies Access),
    ApiExtension(PUBLIC_OPERATION_EXTENSION, true),
  );

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
