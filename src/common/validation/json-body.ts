import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RawServerDefault } from 'fastify';
import { ValidationFailedException } from './validation-failed.exception';

/**
 * Deeper than any body of ours (the write DTOs nest two levels); parsing and validating a
 * deeper one recurses once per level, and 10,000 levels overflow the stack.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * C0 controls other than tab, line feed and carriage return, and DEL: no field of ours means
 * them, and PostgreSQL refuses NUL in text outright.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of a JSON text, counted on its bytes (brackets inside strings skipped). */
export function jsonDepthExceeds(body: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** The path of the first string (value or member name) holding a control character, if any. */
export function findControlChar(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return CONTROL_CHAR.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findControlChar(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [name, member] of Object.entries(value)) {
      if (CONTROL_CHAR.test(name)) return [...path, name];
      const found = findControlChar(member, [...path, name]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * JSON bodies through Fastify's own parser (prototype poisoning still refused), behind two
 * checks that answer 422 instead of a 500: a nesting limit, checked on the raw bytes before
 * anything recurses, and no control characters in any string.
 */
export function useCheckedJsonBodies(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
      done(
        new ValidationFailedException([
          { type: 'json_too_deep', loc: ['body'], msg: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` },
        ]),
        undefined,
      );
      return;
    }
    void parseJson(request, body.toString('utf8'), (error, value) => {
      const at = error ? null : findControlChar(value);
      if (!at) return done(error, value);
      done(
        new ValidationFailedException([
          {
            type: 'control_character',
            loc: ['body', ...at],
            msg: 'text must not contain control characters',
          },
        ]),
        undefined,
      );
    });
  });
}
