import { ApiProperty } from '@nestjs/swagger';

/** One item of a 422 `detail` list, shaped like the reference's pydantic errors. */
export class ValidationIssueDto {
  @ApiProperty({ example: 'int_parsing' }) type!: string;
  @ApiProperty({
    description: 'Where: the part of the request, then field names and list indices',
    example: ['query', 'page'],
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  })
  loc!: (string | number)[];
  @ApiProperty({ example: 'page must be an integer' }) msg!: string;
}

/** The JSON body of every error response. */
export class ErrorBodyDto {
  @ApiProperty({
    description: 'Human-readable message (as in the reference), or the list of validation issues for 422',
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { $ref: '#/components/schemas/ValidationIssueDto' } },
    ],
    example: 'Club with ID 99 not found',
  })
  detail!: string | ValidationIssueDto[];

  @ApiProperty({ description: 'Stable machine-readable code', example: 'club_not_found' })
  code!: string;

  @ApiProperty({
    description: 'Request id, also sent as the X-Request-Id header',
    example: 'c0a8012e-7d1f-4a55-9a49-0f8d9f3a2b11',
  })
  request_id!: string;
}

/** Status code → default error code, for errors that do not carry their own. */
export const DEFAULT_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_error',
  429: 'rate_limited',
  500: 'internal_error',
  503: 'service_unavailable',
};
