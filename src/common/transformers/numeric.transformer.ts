import { ValueTransformer } from 'typeorm';

/** PostgreSQL `numeric` arrives as a string from `pg`; the API speaks numbers. */
export const numericTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
