import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { ValidationIssueDto } from '../errors/error-body';
import { ValidationFailedException } from './validation-failed.exception';

const ISSUE_TYPES: Readonly<Record<string, string>> = {
  isInt: 'int_parsing',
  isNumber: 'float_parsing',
  isBoolean: 'bool_parsing',
  isString: 'string_type',
  isArray: 'list_type',
  isDefined: 'missing',
  isNotEmpty: 'missing',
  min: 'greater_than_equal',
  max: 'less_than_equal',
  minLength: 'string_too_short',
  maxLength: 'string_too_long',
  arrayMinSize: 'too_short',
  arrayMaxSize: 'too_long',
  isIn: 'enum',
  matches: 'string_pattern_mismatch',
  whitelistValidation: 'extra_forbidden',
};

const LOCATIONS: Readonly<Record<string, string>> = { query: 'query', body: 'body', param: 'path' };

function flatten(errors: ValidationError[], location: string, path: string[] = []): ValidationIssueDto[] {
  return errors.flatMap((error) => {
    const loc = [...path, error.property];
    const own = Object.entries(error.constraints ?? {}).map(([name, msg]) => ({
      type: ISSUE_TYPES[name] ?? name,
      loc: [location, ...loc],
      msg,
    }));
    return [...own, ...flatten(error.children ?? [], location, loc)];
  });
}

/**
 * Validates query, body and path DTOs with class-validator and answers the reference's 422 list.
 * Unknown body fields are refused (a typo never silently does nothing); unknown query
 * parameters are ignored, as the reference does.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype, type } = metadata;
    if (type === 'custom' || !metatype || isPrimitive(metatype)) return value;
    const location = LOCATIONS[type] ?? type;
    if (type === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ValidationFailedException([
        { type: 'model_type', loc: ['body'], msg: 'the request body must be a JSON object' },
      ]);
    }
    const instance = plainToInstance(metatype, value ?? {}, { exposeDefaultValues: true }) as object;
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: type === 'body',
      forbidUnknownValues: true,
      stopAtFirstError: true,
    });
    if (errors.length > 0) throw new ValidationFailedException(flatten(errors, location));
    return instance;
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest hands metatypes over as bare constructors
function isPrimitive(metatype: Function): boolean {
  return [String, Boolean, Number, Array, Object].includes(metatype as never);
}
