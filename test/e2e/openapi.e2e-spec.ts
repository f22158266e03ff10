import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../utils/test-app';

const COMMITTED = join(__dirname, '..', '..', 'openapi.json');

/**
 * The OpenAPI document is committed (`openapi.json`) so API changes show up in review; this test
 * fails when the code and the committed document drift apart. `npm run openapi` rewrites it.
 */
describe('openapi.json', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('matches the document the application generates', async () => {
    const generated = (await t.request({ url: '/docs-json' })).json();
    if (process.env.UPDATE_OPENAPI === '1')
      writeFileSync(COMMITTED, `${JSON.stringify(generated, null, 2)}\n`);
    const committed: unknown = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    expect(generated).toEqual(committed);
  });

  it('documents the error body on every operation that can fail', async () => {
    const doc = (await t.request({ url: '/docs-json' })).json();
    const operations = Object.values(
      doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>,
    ).flatMap((path) => Object.values(path));
    const withErrors = operations.filter((op) =>
      Object.keys(op.responses).some((status) => status.startsWith('4')),
    );
    expect(withErrors.length).toBeGreaterThan(20);
  });
});
