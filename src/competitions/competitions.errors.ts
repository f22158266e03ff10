import { EntityNotFoundError } from '../common/errors/domain-errors';

export class CompetitionNotFoundError extends EntityNotFoundError {
  constructor(id: number) {
    super('Competition', id);
  }
}
