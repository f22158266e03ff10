import { Matches } from 'class-validator';

/**
 * Refuses NUL and other control characters, and U+FFFD (what invalid UTF-8 in a query string
 * decodes to): they can never match a stored name and PostgreSQL rejects NUL outright.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const NoControlChars = (): PropertyDecorator =>
  Matches(/^[^\u0000-\u001f\u007f\ufffd]*$/, {
    message: '$property must not contain control characters or invalid UTF-8',
  });
