import { ValueTransformer } from 'typeorm';

/** PostgreSQL `numeric` arrives as a string from `pg`; the API speaks numbers. */
export const numericTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * bigint ids: TypeORM hands back generated ids as strings even with pg's INT8 parser set. Ids
 * stay far below 2^53, so numbers are exact.
 */
export const bigintTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
