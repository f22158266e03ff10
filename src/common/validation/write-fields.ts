import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateIf } from 'class-validator';

/** Letters, digits, `_`, `-` and the Romanian letters the original allows. */
export const SLUG_PATTERN = /^[A-Za-z0-9_ăâîșțĂÂÎȘȚ-]+$/;

const trim = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** A required display name, trimmed, 1..max characters. */
export const NameField = (max: number): PropertyDecorator =>
  applyDecorators(trim, IsString(), Length(1, max));

export const SlugField = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    IsString(),
    Length(1, 150),
    Matches(SLUG_PATTERN, { message: 'slug may contain only letters, digits, "_" and "-"' }),
  );

/** An optional http(s) URL of at most 200 characters; `null` clears it. */
export const OptionalUrlField = (): PropertyDecorator =>
  applyDecorators(
    ValidateIf((_, value) => value !== null && value !== undefined),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true }),
    MaxLength(200),
  );

/** ISO 3166-1 alpha-2, upper-cased; `null` clears it. */
export const OptionalCountryField = (): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.trim().toUpperCase() : value,
    ),
    ValidateIf((_, value) => value !== null && value !== undefined),
    Matches(/^[A-Z]{2}$/, { message: 'country must be a two-letter ISO 3166-1 code' }),
  );
