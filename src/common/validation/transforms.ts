import { TransformFnParams } from 'class-transformer';

/** Query values arrive as strings: turn a well-formed integer into a number, leave the rest for the validator to refuse. */
export const toInteger = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^[+-]?\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : value;

/** The spellings the reference's boolean parameters accept (pydantic's), in any case. */
export const toBoolean = ({ value }: TransformFnParams): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', 't', '1', 'yes', 'y', 'on'].includes(v)) return true;
  if (['false', 'f', '0', 'no', 'n', 'off'].includes(v)) return false;
  return value;
};

/** A repeated query parameter arrives as an array, a single one as a string: always an array. */
export const toArray = ({ value }: TransformFnParams): unknown =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** The reference treats empty strings as "not given" for filters. */
export const emptyToUndefined = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
