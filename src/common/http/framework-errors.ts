import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from './request-id';

const KNOWN: Readonly<Record<string, { status: number; detail: string; code: string }>> = {
  FST_ERR_BAD_URL: { status: 400, detail: 'The URL could not be parsed', code: 'invalid_url' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, detail: 'A path segment is too long', code: 'uri_too_long' },
};

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route (and so before Nest's
 * exception filter) runs — a malformed URL, a path parameter past `maxParamLength` — answered
 * with the common JSON error body instead of Fastify's own `{statusCode, error, message}`, which
 * would also echo the path back.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = KNOWN[error.code] ?? {
    status: 400,
    detail: 'The request could not be routed',
    code: 'bad_request',
  };
  void reply
    .status(known.status)
    .header(REQUEST_ID_HEADER, request.id)
    .send({ detail: known.detail, code: known.code, request_id: request.id });
}
