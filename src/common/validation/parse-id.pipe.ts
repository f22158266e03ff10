import { Injectable, PipeTransform } from '@nestjs/common';
import { ValidationFailedException } from './validation-failed.exception';

/**
 * A path id: a positive integer no larger than 2^53 − 1, so it is exact in JavaScript and fits the
 * bigint columns. Anything else is a 422 before any cache or database access.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  constructor(private readonly name: string) {}

  transform(value: string): number {
    const id = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new ValidationFailedException([
        {
          type: 'int_parsing',
          loc: ['path', this.name],
          msg: `${this.name} must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}`,
        },
      ]);
    }
    return id;
  }
}
