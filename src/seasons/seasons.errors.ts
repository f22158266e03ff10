import { EntityNotFoundError } from '../common/errors/domain-errors';

export class SeasonNotFoundError extends EntityNotFoundError {
  constructor(id: number) {
    super('Season', id);
  }
}
