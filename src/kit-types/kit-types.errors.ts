import { EntityNotFoundError } from '../common/errors/domain-errors';

export class KitTypeNotFoundError extends EntityNotFoundError {
  constructor(id: number) {
    super('Kit type', id);
  }
}
