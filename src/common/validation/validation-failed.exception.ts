import { HttpException, HttpStatus } from '@nestjs/common';
import { ValidationIssueDto } from '../errors/error-body';

/** Raised by our pipes: answered 422 with the reference's `{"detail": [...]}` list. */
export class ValidationFailedException extends HttpException {
  constructor(readonly issues: ValidationIssueDto[]) {
    super({ detail: issues }, HttpStatus.UNPROCESSABLE_ENTITY);
  }
}
