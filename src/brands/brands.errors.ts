import { EntityNotFoundError } from '../common/errors/domain-errors';

export class BrandNotFoundError extends EntityNotFoundError {
  constructor(id: number) {
    super('Brand', id);
  }
}
