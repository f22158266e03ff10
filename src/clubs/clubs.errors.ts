import { EntityNotFoundError } from '../common/errors/domain-errors';

export class ClubNotFoundError extends EntityNotFoundError {
  constructor(id: number) {
    super('Club', id);
  }
}
