/**
 * Errors a service may throw. Each carries its HTTP status and a stable machine-readable code;
 * `ApiExceptionFilter` is the one place that turns them into responses.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /**
   * Extra members of the error body, for clients of the reference that read its own field names
   * (e.g. `status`); they never replace `detail`, `code` or `request_id`.
   */
  readonly extraBody?: Readonly<Record<string, unknown>>;
}

/** An entity looked up by id does not exist. Domains subclass it (`KitNotFoundError`, …). */
export class EntityNotFoundError extends DomainError {
  readonly status = 404;
  readonly code: string;
  constructor(entity: string, id: number | string) {
    super(`${entity} with ID ${id} not found`);
    this.code = `${entity.toLowerCase().replace(/\s+/g, '_')}_not_found`;
  }
}

/** A unique field (a slug, a season year) is already taken. */
export class DuplicateValueError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
  constructor(
    readonly field: string,
    value: string,
  ) {
    super(`${field} '${value}' is already in use`);
  }
}

/** A write names a related row (club, season, colour, …) that does not exist. */
export class UnknownReferenceError extends DomainError {
  readonly status = 400;
  readonly code = 'unknown_reference';
  constructor(
    readonly field: string,
    ids: readonly (number | string)[],
  ) {
    super(`${field}: no such id ${ids.join(', ')}`);
  }
}

/** A request that is well-formed but not acceptable (the reference's 400s, e.g. an unknown colour). */
export class InvalidRequestError extends DomainError {
  readonly status = 400;
  readonly code: string;
  constructor(message: string, code = 'invalid_request') {
    super(message);
    this.code = code;
  }
}

/** PostgreSQL cannot be reached: the request cannot be answered now, but may be later. */
export class DatabaseUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'database_unavailable';
  constructor() {
    super('The database is unavailable; try again shortly');
  }
}
