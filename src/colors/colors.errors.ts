import { EntityNotFoundError } from '../common/errors/domain-errors';

export class ColorNotFoundError extends EntityNotFoundError {
  constructor(id: number) {
    super('Color', id);
  }
}
