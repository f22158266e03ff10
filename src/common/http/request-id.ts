import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Ids a process hands out before it draws a new random head (2^48). */
const COUNTER_LIMIT = 0xffffffffffff;
let head = randomUUID().slice(0, 24);
let counter = 0;

/**
 * A fresh id in the UUID layout: a random head (the first 24 characters of a random UUID,
 * drawn once per process and again every 2^48 ids) and a 12-digit hex counter. Unique like a
 * random UUID, without drawing and formatting 16 random bytes per request.
 */
export function freshRequestId(): string {
  if (++counter > COUNTER_LIMIT) {
    head = randomUUID().slice(0, 24);
    counter = 1;
  }
  return head + counter.toString(16).padStart(12, '0');
}

/** Fastify `genReqId`: keep a caller's well-formed X-Request-Id (for tracing), else a fresh id. */
export function generateRequestId(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : freshRequestId();
}
