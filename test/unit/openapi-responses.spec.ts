import { ResponseChecks, responseViolations } from '../../test/utils/openapi-responses';

/** The e2e response check must be able to fail: forged answers that break the document. */
describe('responseViolations (the e2e check against openapi.json)', () => {
  const json = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r1' };
  const color = JSON.stringify({ id: 3, name: 'Blue', color: '#0000FF' });

  it('accepts a conforming answer', async () => {
    expect(
      await responseViolations({
        method: 'GET',
        url: '/api/colors/3',
        statusCode: 200,
        headers: json,
        body: color,
      }),
    ).toEqual([]);
  });

  it('reports a body that breaks the schema', async () => {
    const problems = await responseViolations({
      method: 'GET',
      url: '/api/colors/3',
      statusCode: 200,
      headers: json,
      body: JSON.stringify({ id: 'three', name: 'Blue' }),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^GET \/api\/colors\/3 → 200 \(ColorsController_findOne\): body /),
    ]);
  });

  it('reports a status the operation does not document', async () => {
    expect(
      await responseViolations({
        method: 'GET',
        url: '/api/colors/3',
        statusCode: 418,
        headers: json,
        body: '',
      }),
    ).toEqual(['GET /api/colors/3 → 418 (ColorsController_findOne): status not documented']);
  });

  it('reports a documented header in the wrong shape', async () => {
    const problems = await responseViolations({
      method: 'GET',
      url: '/api/colors/3',
      statusCode: 200,
      headers: { ...json, 'x-response-time': '12 ms' },
      body: color,
    });
    expect(problems.join('\n')).toMatch(/header/);
  });

  it('accepts a null primary colour in a kit detail', async () => {
    const kit = {
      id: 1,
      name: 'K',
      slug: 'k',
      team: { id: 1, name: 'C', slug: 'c', logo: null, logo_dark: null, country: null, id_fka: null },
      season: { id: 1, year: '2024', first_year: '2024', second_year: null },
      competition: [],
      type: {
        id: 1,
        name: 'Home',
        category: 'match',
        category_order: 1,
        order_priority: 1,
        is_goalkeeper: false,
      },
      brand: { id: 1, name: 'B', slug: 'b', logo: null, logo_dark: null },
      design: null,
      primary_color: null,
      secondary_color: [],
      main_img_url: 'https://img.example/k.jpg',
      rating: 0,
    };
    const problems = await responseViolations({
      method: 'GET',
      url: '/api/kits/1',
      statusCode: 200,
      headers: json,
      body: JSON.stringify(kit),
    });
    expect(problems).toEqual([]);
  });

  it('leaves requests outside the document alone', async () => {
    expect(
      await responseViolations({
        method: 'GET',
        url: '/not-an-api',
        statusCode: 404,
        headers: json,
        body: '{}',
      }),
    ).toEqual([]);
  });

  it('fails the test app that gave a nonconforming answer when it closes, and passes a conforming one', async () => {
    const good = new ResponseChecks();
    await good.record({ method: 'GET', url: '/api/colors/3', statusCode: 200, headers: json, body: color });
    await expect(good.assertAllConform()).resolves.toBeUndefined();
    const bad = new ResponseChecks();
    await bad.record({ method: 'GET', url: '/api/colors/3', statusCode: 200, headers: json, body: color });
    await bad.record({ method: 'DELETE', url: '/api/colors/3', statusCode: 200, headers: json, body: '' });
    await expect(bad.assertAllConform()).rejects.toThrow(
      'DELETE /api/colors/3 → 200 (ColorsController_remove): status not documented',
    );
  });
});
