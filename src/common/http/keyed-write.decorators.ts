import { applyDecorators, HttpCode, Type } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.decorators';
import { ApiErrors } from './api-errors.decorator';

const WRITE_DESCRIPTION =
  'Needs the admin key in X-API-Key. The cached reads the change affects are invalidated when it commits.';

/**
 * The shared contract of the keyed writes of every resource: admin key, documented body and
 * errors. `extraErrors` adds statuses a resource has beyond the common ones (e.g. 400 for an
 * unknown related id).
 */
export const KeyedCreate = (
  summary: string,
  type: Type<unknown>,
  extraErrors: number[] = [],
): MethodDecorator =>
  applyDecorators(
    AdminOnly(),
    ApiOperation({ summary, description: WRITE_DESCRIPTION }),
    ApiCreatedResponse({ type }),
    ApiErrors(...extraErrors, 401, 409, 413, 422),
  );

export const KeyedUpdate = (
  summary: string,
  type: Type<unknown>,
  extraErrors: number[] = [],
): MethodDecorator =>
  applyDecorators(
    AdminOnly(),
    ApiOperation({ summary, description: WRITE_DESCRIPTION }),
    ApiOkResponse({ type }),
    ApiErrors(...extraErrors, 401, 404, 409, 413, 422),
  );

export const KeyedDelete = (summary: string): MethodDecorator =>
  applyDecorators(
    AdminOnly(),
    HttpCode(204),
    ApiOperation({ summary, description: WRITE_DESCRIPTION }),
    ApiNoContentResponse(),
    ApiErrors(401, 404, 422),
  );
