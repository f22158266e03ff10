import { OpenAPIObject } from '@nestjs/swagger';
import {
  OperationObject,
  ParameterObject,
  ResponseObject,
  ResponsesObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PUBLIC_OPERATION_EXTENSION } from './common/auth/auth.decorators';

/**
 * What every operation of the document shares, added once here rather than on each route:
 * security, the statuses the HTTP layer can answer before a controller runs, the response
 * headers, and the tags in the order Swagger UI shows them (catalogue first, administration last).
 */

const ERROR_BODY = { $ref: '#/components/schemas/ErrorBodyDto' };
const MAX_ID = Number.MAX_SAFE_INTEGER;

export const API_TAGS = [
  { name: 'kits', description: 'Kits: filtered lists, search, bulk lookup by slug, detail; keyed writes' },
  { name: 'clubs', description: 'Clubs: search, detail, random clubs with logos; keyed writes' },
  { name: 'seasons', description: "Seasons: a club's seasons, search by year shape, detail; keyed writes" },
  { name: 'brands', description: 'Kit makers: search, detail; keyed writes' },
  { name: 'competitions', description: 'Competitions: search, detail; keyed writes' },
  { name: 'kit-types', description: 'Kit types (Home, GK Away, Training…) with their category and order' },
  { name: 'colors', description: 'The colours kits are described with' },
  {
    name: 'user collections',
    description: "A footballkitarchive.com user's public collection, fetched on demand",
  },
  { name: 'health', description: 'Liveness and readiness probes (never need a key)' },
  { name: 'metrics', description: 'Prometheus metrics (never need a key)' },
  { name: 'cache', description: 'Cache administration (admin key)' },
];

const CATALOGUE_TAGS = new Set(['kits', 'clubs', 'seasons', 'brands', 'competitions', 'kit-types', 'colors']);

const HEADERS = {
  'X-Request-Id': {
    description: 'Id of this request, also in error bodies (`request_id`) and log lines',
    schema: { type: 'string' },
  },
  'X-Response-Time': {
    description: 'Time the server took, in seconds with three decimals (`0.012s`)',
    schema: { type: 'string', pattern: '^\\d+\\.\\d{3}s$' },
  },
  ETag: {
    description: 'Strong validator of a cached read (send it back in If-None-Match)',
    schema: { type: 'string' },
  },
  'Cache-Control': { description: 'How long a client may reuse a cached read', schema: { type: 'string' } },
  'Retry-After': {
    description: 'Seconds until the rate limit lets this client through',
    schema: { type: 'integer' },
  },
} as const;

const headerRef = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

function errorResponse(description: string): ResponseObject {
  return { description, content: { 'application/json': { schema: ERROR_BODY } } };
}

/** Adds a response unless the operation documents that status already. */
function addResponse(responses: ResponsesObject, status: string, response: ResponseObject): void {
  if (!(status in responses)) responses[status] = response;
}

/** Ids in paths are positive integers that fit the bigint columns and JavaScript numbers. */
function typePathIds(parameters: ParameterObject[]): void {
  for (const parameter of parameters) {
    if (parameter.in === 'path' && /(^|_)id$|^userid$/.test(parameter.name)) {
      parameter.schema = { type: 'integer', minimum: 1, maximum: MAX_ID };
    }
  }
}

function completeOperation(path: string, method: string, operation: OperationObject): void {
  const marked = operation as OperationObject & Record<string, unknown>;
  const isPublic = marked[PUBLIC_OPERATION_EXTENSION] === true;
  delete marked[PUBLIC_OPERATION_EXTENSION];
  const responses = operation.responses;
  const parameters = (operation.parameters ?? []) as ParameterObject[];
  typePathIds(parameters);

  if (isPublic) {
    operation.security = [];
  } else if (!operation.security) {
    // Reads: anonymous unless the deployment sets API_AUTH_ENABLED, then with a read key.
    operation.security = [{}, { 'api-key': [] }];
    addResponse(responses, '401', errorResponse('Missing or wrong X-API-Key (only with API_AUTH_ENABLED)'));
  }
  // Answered before any route for every path: a URL that is not valid UTF-8 once decoded.
  addResponse(
    responses,
    '400',
    errorResponse('Malformed request (URL encoding, JSON body, unknown filter value)'),
  );
  if (!isPublic) addResponse(responses, '503', errorResponse('PostgreSQL unavailable'));
  if (parameters.some((p) => p.in === 'path')) {
    addResponse(responses, '414', errorResponse('A path segment is longer than 200 characters'));
  }
  if (operation.requestBody) {
    addResponse(responses, '413', errorResponse('Request body too large'));
  }
  // Every catalogue read is a cached read (ETag, 304) except the random draws.
  const cachedRead =
    method === 'get' &&
    (operation.tags ?? []).some((tag) => CATALOGUE_TAGS.has(tag)) &&
    !/^\/api\/random-/.test(path);
  if (cachedRead) {
    addResponse(responses, '304', { description: 'Not modified: the If-None-Match tag is still current' });
  }
  for (const [status, response] of Object.entries(responses) as [string, ResponseObject][]) {
    const headers: Record<string, unknown> = {
      ...response.headers,
      'X-Request-Id': headerRef('X-Request-Id'),
    };
    headers['X-Response-Time'] = headerRef('X-Response-Time');
    if (cachedRead && (status === '200' || status === '304')) {
      headers.ETag = headerRef('ETag');
      headers['Cache-Control'] = headerRef('Cache-Control');
    }
    if (status === '429') headers['Retry-After'] = headerRef('Retry-After');
    response.headers = headers as ResponseObject['headers'];
    if (response.description === '') response.description = status.startsWith('2') ? 'OK' : 'Answer';
  }
  operation.description ??= operation.summary;
}

/** Applies the shared conventions to the generated document, in place, and returns it. */
export function applyOpenApiConventions(document: OpenAPIObject): OpenAPIObject {
  document.servers = [{ url: '/', description: 'This server' }];
  document.tags = API_TAGS;
  document.components = { ...document.components, headers: { ...HEADERS } };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (operation) completeOperation(path, method, operation);
    }
  }
  return document;
}
