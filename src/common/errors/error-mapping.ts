import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ValidationFailedException } from '../validation/validation-failed.exception';
import { DEFAULT_ERROR_CODES, ValidationIssueDto } from './error-body';
import { DomainError } from './domain-errors';

export interface ErrorResponse {
  status: number;
  detail: string | ValidationIssueDto[];
  code: string;
  /** True when the cause is ours (5xx) and worth logging with its stack. */
  unexpected: boolean;
  /** Extra body members a domain error asks for (see {@link DomainError.extraBody}). */
  extra?: Readonly<Record<string, unknown>>;
}

const PG_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  '3D000', // the database does not exist (dropped under us)
  '53300', // too many connections
  '57P04',
  '57014', // statement_timeout: the server cancelled a query running past DATABASE_STATEMENT_TIMEOUT_MS
  '28000',
  '28P01',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message =
    (response as { message?: unknown; detail?: unknown }).detail ??
    (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

/** Fastify's own errors (body parsing, size limits, media type) carry `statusCode` and an `FST_` code. */
function isFastifyError(error: unknown): error is Error & { statusCode: number; code: string } {
  return (
    error instanceof Error &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as unknown as { code: string }).code.startsWith('FST_')
  );
}

function isConnectionError(error: unknown): boolean {
  const own = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  for (const code of [own?.code, own?.driverError?.code]) {
    if (typeof code === 'string' && PG_CONNECTION_CODES.has(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  // `Query read timeout`: pg's query_timeout, the server (or the link to it) went silent.
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(
    message,
  );
}

const FASTIFY_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty but declared as JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type; send application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
};

/**
 * Maps anything thrown while answering a request to a status, message and code. The message of
 * an unexpected error never reaches the client: no stack, no SQL.
 */
export function mapError(exception: unknown): ErrorResponse {
  if (exception instanceof ValidationFailedException) {
    return { status: 422, detail: exception.issues, code: 'validation_error', unexpected: false };
  }
  if (exception instanceof DomainError) {
    return {
      status: exception.status,
      detail: exception.message,
      code: exception.code,
      unexpected: exception.status >= 500,
      extra: exception.extraBody,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const detail =
      status === 404 ? 'Not Found' : status === 405 ? 'Method not allowed' : httpMessage(exception);
    return {
      status,
      detail,
      code: DEFAULT_ERROR_CODES[status] ?? `http_${status}`,
      unexpected: status >= 500,
    };
  }
  if (isFastifyError(exception) && exception.statusCode < 500) {
    const status = exception.statusCode;
    return {
      status,
      detail: FASTIFY_MESSAGES[exception.code] ?? 'The request could not be parsed',
      code: status === 400 ? 'invalid_body' : (DEFAULT_ERROR_CODES[status] ?? `http_${status}`),
      unexpected: false,
    };
  }
  if (exception instanceof QueryFailedError) {
    const mapped = mapQueryError(exception);
    if (mapped) return mapped;
  }
  if (isConnectionError(exception)) {
    return {
      status: 503,
      detail: 'The database is unavailable; try again shortly',
      code: 'database_unavailable',
      unexpected: true,
    };
  }
  return {
    status: 500,
    detail: 'An internal server error occurred. Please try again later.',
    code: 'internal_error',
    unexpected: true,
  };
}

/** A constraint or value error PostgreSQL raised for the request's data: a 4xx, never a 500. */
function mapQueryError(exception: { driverError?: unknown }): ErrorResponse | null {
  const pgCode = (exception.driverError as { code?: string } | undefined)?.code;
  if (pgCode === '23505')
    return { status: 409, detail: 'A unique value is already in use', code: 'conflict', unexpected: false };
  if (pgCode === '23502' || pgCode === '22001' || pgCode === '22003' || pgCode === '22P02')
    return {
      status: 400,
      detail: 'A value is missing, too long or out of range',
      code: 'invalid_value',
      unexpected: false,
    };
  if (pgCode === '23503')
    return {
      status: 400,
      detail: 'A related id does not exist',
      code: 'unknown_reference',
      unexpected: false,
    };
  return null;
}
