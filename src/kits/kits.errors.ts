import { EntityNotFoundError } from '../common/errors/domain-errors';

export class KitNotFoundError extends EntityNotFoundError {
  constructor(id: number) {
    super('Kit', id);
  }
}
