import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../errors/error-body';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Bad request (unknown filter value, unknown related id, malformed body)',
  401: 'Missing or wrong X-API-Key',
  404: 'Not found',
  409: 'A unique value (slug, season year) is already in use',
  413: 'Request body too large',
  422: 'Validation error: `detail` lists each problem as {type, loc, msg}',
  429: 'Rate limit exceeded (see Retry-After)',
  503: 'PostgreSQL unavailable',
};

/** Documents the JSON error responses an operation can give. */
export const ApiErrors = (...statuses: number[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ...[...statuses, 429].map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorBodyDto }),
    ),
  );
