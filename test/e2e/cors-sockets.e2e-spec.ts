import { makeClub } from '../factories/catalog';
import { TestApp, useTestAppWithRedis } from '../utils/test-app';

/**
 * CORS as a browser meets it: real GETs and preflights over sockets, with `CORS_ORIGINS` set to
 * one origin, to `*` and unset, on URLs answered by the full pipeline and on URLs the cache has
 * already answered. The cache-hit path runs no CORS step, so with CORS on it leaves every request
 * that carries an `Origin` to the pipeline (which serves it from the cache, with the CORS
 * headers); requests without one, and every request with CORS off, it answers itself. The
 * allowed origin of one request must never reach the answer to another.
 */
const ALLOWED = 'https://allowed.example';
const OTHER = 'https://other.example';

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

function client(t: () => TestApp) {
  const get = async (path: string, origin?: string): Promise<Answer> => {
    const res = await fetch(`${t().baseUrl}${path}`, { headers: origin ? { origin } : {} });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const preflight = async (path: string, origin: string): Promise<Answer> => {
    const res = await fetch(`${t().baseUrl}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET' },
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const metric = async (series: string): Promise<number> => {
    const text = (await get('/metrics')).body;
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return Number(line?.split(' ')[1] ?? 0);
  };
  /** How many answers the cache-hit path gave while `run` ran. */
  const fastPathAnswers = async (run: () => Promise<void>): Promise<{ raw: number }> => {
    const raw = await metric('fkapi_http_fast_path_responses_total{path="raw"}');
    await run();
    return { raw: (await metric('fkapi_http_fast_path_responses_total{path="raw"}')) - raw };
  };
  return { get, preflight, fastPathAnswers };
}

const corsHeaders = (answer: Answer): string[] =>
  [...answer.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('CORS over sockets, CORS_ORIGINS set to one origin', () => {
  let t: TestApp;
  useTestAppWithRedis((started) => ({ t } = started), { CORS_ORIGINS: ALLOWED }, { listen: true });
  const { get, preflight, fastPathAnswers } = client(() => t);

  it('answers a preflight from the allowed origin and not from another one', async () => {
    const club = await makeClub(t.dataSource);
    const allowed = await preflight(`/api/clubs/${club.id}`, ALLOWED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('GET');
    const other = await preflight(`/api/clubs/${club.id}`, OTHER);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.status).toBeLessThan(500);
  });

  it('allows the origin on a GET the pipeline answers and on the same URL answered from the cache', async () => {
    const club = await makeClub(t.dataSource);
    const path = `/api/clubs/${club.id}`;
    const first = await get(path, ALLOWED);
    expect(first.status).toBe(200);
    expect(first.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(first.headers.get('vary')).toMatch(/origin/i);

    const answers: Answer[] = [];
    const counted = await fastPathAnswers(async () => {
      answers.push(await get(path)); // no Origin: the cache-hit path
      answers.push(await get(path, OTHER)); // an Origin: the pipeline, from the cache
      answers.push(await get(path, ALLOWED));
    });
    expect(counted.raw).toBe(1);
    const [plain, other, allowed] = answers;
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(first.body);
      expect(answer.headers.get('etag')).toBe(first.headers.get('etag'));
    }
    // The allowed origin of the learning request is not replayed to requests without it.
    expect(corsHeaders(plain)).toEqual([]);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
  });

  it('does the same when the URL was learned without an Origin', async () => {
    const club = await makeClub(t.dataSource);
    const path = `/api/clubs/${club.id}`;
    await get(path);
    expect((await fastPathAnswers(async () => void (await get(path)))).raw).toBe(1);
    const allowed = await get(path, ALLOWED);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect((await get(path, OTHER)).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS over sockets, CORS_ORIGINS=*', () => {
  let t: TestApp;
  useTestAppWithRedis((started) => ({ t } = started), { CORS_ORIGINS: '*' }, { listen: true });
  const { get, preflight, fastPathAnswers } = client(() => t);

  it('allows any origin, on preflights, on the pipeline and from the cache', async () => {
    const club = await makeClub(t.dataSource);
    const path = `/api/clubs/${club.id}`;
    for (const origin of [ALLOWED, OTHER]) {
      const answer = await preflight(path, origin);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const first = await get(path, OTHER);
    expect(first.status).toBe(200);
    expect(first.headers.get('access-control-allow-origin')).toBe(OTHER);
    const answers: Answer[] = [];
    const counted = await fastPathAnswers(async () => {
      answers.push(await get(path, ALLOWED));
      answers.push(await get(path, 'https://third.example'));
    });
    expect(counted.raw).toBe(0); // every request has an Origin: the pipeline answers, from the cache
    expect(answers.map((a) => [a.status, a.headers.get('access-control-allow-origin')])).toEqual([
      [200, ALLOWED],
      [200, 'https://third.example'],
    ]);
    expect(answers.map((a) => a.body)).toEqual([first.body, first.body]);
  });
});

describe('CORS over sockets, CORS_ORIGINS unset', () => {
  let t: TestApp;
  useTestAppWithRedis((started) => ({ t } = started), {}, { listen: true });
  const { get, preflight, fastPathAnswers } = client(() => t);

  it('sends no CORS header to a preflight nor to a GET, fresh or from the cache', async () => {
    const club = await makeClub(t.dataSource);
    const path = `/api/clubs/${club.id}`;
    const pre = await preflight(path, ALLOWED);
    expect(pre.status).toBeLessThan(500);
    expect(corsHeaders(pre)).toEqual([]);
    const first = await get(path, ALLOWED);
    expect(first.status).toBe(200);
    expect(corsHeaders(first)).toEqual([]);
    const answers: Answer[] = [];
    const counted = await fastPathAnswers(async () => {
      answers.push(await get(path, ALLOWED));
      answers.push(await get(path));
    });
    expect(counted.raw).toBe(2); // CORS off: the Origin header changes nothing
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(first.body);
      expect(corsHeaders(answer)).toEqual([]);
    }
  });
});
