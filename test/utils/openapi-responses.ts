import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAPIBackend, { SetMatchType } from 'openapi-backend';

/**
 * Checks every response the e2e tests receive against the committed `openapi.json`, with
 * openapi-backend's Ajv validators: the status must be documented for the operation, the JSON
 * body must match its schema, and the documented headers must match theirs. A request the
 * document does not describe (an unknown path, the Swagger UI) is not checked.
 */

const DOCUMENT = join(__dirname, '..', '..', 'openapi.json');

let backend: Promise<OpenAPIBackend> | undefined;

function documentBackend(): Promise<OpenAPIBackend> {
  backend ??= new OpenAPIBackend({
    definition: JSON.parse(readFileSync(DOCUMENT, 'utf8')),
    validate: true,
    // Validators compiled per operation on first use (the document itself is linted apart).
    quick: true,
    customizeAjv: (ajv) => {
      // The two formats the document uses, checked as the server's own validation does.
      ajv.addFormat('uri', (value: string) => URL.canParse(value) && /^https?:\/\//.test(value));
      ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
      return ajv;
    },
  }).init();
  return backend;
}

export interface CheckedExchange {
  method: string;
  url: string;
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** The problems of one response ([] when it conforms or is not in the document). */
export async function responseViolations(exchange: CheckedExchange): Promise<string[]> {
  const api = await documentBackend();
  const url = new URL(exchange.url, 'http://localhost');
  const operation = api.matchOperation({
    method: exchange.method.toLowerCase(),
    path: url.pathname,
    headers: {},
    query: url.search.slice(1),
  });
  if (!operation) return [];
  const status = String(exchange.statusCode);
  const where = `${exchange.method} ${exchange.url} → ${status} (${operation.operationId})`;
  if (!operation.responses || !(status in operation.responses)) {
    return [`${where}: status not documented`];
  }
  const problems: string[] = [];
  const contentType = exchange.headers['content-type'];
  if (exchange.body !== '' && typeof contentType === 'string' && contentType.startsWith('application/json')) {
    const result = api.validateResponse(JSON.parse(exchange.body), operation, exchange.statusCode);
    for (const error of result.errors ?? []) {
      problems.push(`${where}: body ${error.instancePath || '/'} ${error.message ?? ''}`);
    }
  }
  const headers = api.validateResponseHeaders(exchange.headers, operation, {
    statusCode: exchange.statusCode,
    setMatchType: SetMatchType.Superset,
  });
  for (const error of headers.errors ?? []) {
    problems.push(`${where}: header ${error.instancePath || '/'} ${error.message ?? ''}`);
  }
  return problems;
}

/** Past this many unchecked answers, `record` checks them at once (memory stays bounded). */
const MAX_PENDING = 2_000;

/**
 * The answers one test app gave, checked when it closes (so that checking adds nothing to the
 * time a test measures); `assertAllConform` throws, failing the file, when any broke the document.
 */
export class ResponseChecks {
  private pending: CheckedExchange[] = [];
  private readonly problems: string[] = [];

  async record(exchange: CheckedExchange): Promise<void> {
    this.pending.push(exchange);
    if (this.pending.length >= MAX_PENDING) await this.check();
  }

  async assertAllConform(): Promise<void> {
    await this.check();
    if (this.problems.length > 0) {
      throw new Error(`Responses do not conform to openapi.json:\n${this.problems.join('\n')}`);
    }
  }

  private async check(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    for (const exchange of batch) this.problems.push(...(await responseViolations(exchange)));
  }
}
