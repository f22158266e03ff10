import { Matches } from 'class-validator';

// NUL, other control characters and U+FFFD (what invalid UTF-8 decodes to).
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f\ufffd]/;

/**
 * Refuses control characters and U+FFFD in a text parameter: they can never match a stored
 * name and PostgreSQL rejects NUL outright.
 */
export const NoControlChars = (): PropertyDecorator =>
  Matches(new RegExp(`^[^${FORBIDDEN.source.slice(1, -1)}]*$`), {
    message: '$property must not contain control characters or invalid UTF-8',
  });
