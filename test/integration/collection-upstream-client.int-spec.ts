import { createServer } from 'node:net';
import { CollectionUpstreamClient, UpstreamOptions } from '../../src/user-collections/upstream-client';
import { CollectionFetchError } from '../../src/user-collections/user-collections.errors';
import {
  CollectionUpstreamFixture,
  FixtureResponse,
  pagedFeed,
  profile,
} from '../fixtures/collection-upstream';

describe('CollectionUpstreamClient against a local upstream', () => {
  const fixture = new CollectionUpstreamFixture();
  let baseUrl: string;
  let nextUserid = 500;
  const signal = new AbortController().signal;

  const client = (overrides: Partial<UpstreamOptions> = {}): CollectionUpstreamClient =>
    new CollectionUpstreamClient({
      baseUrl,
      userAgent: 'FKApi-test',
      timeoutMs: 2000,
      maxRetries: 3,
      retryBackoffMs: 1,
      maxBodyBytes: 64 * 1024,
      ...overrides,
    });

  /** A user whose feed answers `responses` in turn (the last one repeated). */
  const userAnswering = (...responses: FixtureResponse[]): number => {
    const userid = ++nextUserid;
    fixture.define(userid, {
      user: () => ({ status: 500, json: {} }),
      feed: (_request, attempt) => responses[Math.min(attempt, responses.length - 1)],
    });
    return userid;
  };

  const failure = async (promise: Promise<unknown>): Promise<CollectionFetchError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof CollectionFetchError))
      throw new Error(`expected a CollectionFetchError, got ${String(error)}`);
    return error;
  };

  beforeAll(async () => {
    baseUrl = await fixture.start();
  });
  afterAll(async () => fixture.close());

  it('asks for page n of 20 entries, latest first, with English headers, a referer and its user agent', async () => {
    const userid = ++nextUserid;
    fixture.define(userid, { user: profile({ id: userid }), feed: pagedFeed([[{ id: 1 }], [{ id: 2 }]]) });
    const page = await client().fetchFeedPage(userid, 2, signal);
    expect(page).toEqual({ entries: [{ id: 2 }], moreAvailable: false });
    const [request] = fixture.hits(userid, 'feed');
    expect(Object.fromEntries(request.query)).toEqual({
      limit: '20',
      page: '2',
      sort: 'latest',
      userid: String(userid),
    });
    expect(request.headers).toMatchObject({
      accept: '*/*',
      'accept-language': 'en-US,en;q=0.9',
      referer: `${baseUrl}/collection/${userid}`,
      'user-agent': 'FKApi-test',
    });
  });

  it('reads the user profile from user.php?id=', async () => {
    const userid = ++nextUserid;
    fixture.define(userid, { user: profile({ id: userid, name: 'collector' }), feed: pagedFeed([]) });
    expect(await client().fetchUser(userid, signal)).toEqual({ id: userid, name: 'collector' });
    expect(fixture.hits(userid, 'user')[0].query.get('id')).toBe(String(userid));
  });

  it('answers no profile when user.php fails, even after retries', async () => {
    const userid = userAnswering({ json: {} });
    expect(await client().fetchUser(userid, signal)).toBeUndefined();
    expect(fixture.hits(userid, 'user')).toHaveLength(4);
  });

  it('retries a 429 and a 503 and then succeeds', async () => {
    const userid = userAnswering(
      { status: 429, json: {} },
      { status: 503, text: 'busy' },
      { json: { success: true, entries: [{ id: 9 }] } },
    );
    expect(await client().fetchFeedPage(userid, 1, signal)).toEqual({
      entries: [{ id: 9 }],
      moreAvailable: false,
    });
    expect(fixture.hits(userid, 'feed')).toHaveLength(3);
  });

  it('gives up after three retries of a 500 with the reference message', async () => {
    const userid = userAnswering({ status: 500, text: 'boom' });
    const error = await failure(client().fetchFeedPage(userid, 1, signal));
    expect(error).toMatchObject({
      code: 'upstream_http_error',
      message: 'HTTP error fetching page 1: 500 Internal Server Error',
    });
    expect(fixture.hits(userid, 'feed')).toHaveLength(4);
  });

  it('reports a 403 as rate limiting at once, without retrying', async () => {
    const userid = userAnswering({ status: 403, text: 'Forbidden' });
    const error = await failure(client().fetchFeedPage(userid, 1, signal));
    expect(error).toMatchObject({
      code: 'rate_limited',
      message: 'Rate limit exceeded while scraping user collection',
    });
    expect(fixture.hits(userid, 'feed')).toHaveLength(1);
  });

  it('reports a 429 that outlasts the retries as rate limiting', async () => {
    const userid = userAnswering({ status: 429, json: {} });
    const error = await failure(client().fetchFeedPage(userid, 1, signal));
    expect(error.code).toBe('rate_limited');
    expect(fixture.hits(userid, 'feed')).toHaveLength(4);
  });

  it('does not retry a 404', async () => {
    const userid = userAnswering({ status: 404, json: {} });
    const error = await failure(client().fetchFeedPage(userid, 1, signal));
    expect(error.message).toBe('HTTP error fetching page 1: 404 Not Found');
    expect(fixture.hits(userid, 'feed')).toHaveLength(1);
  });

  it('times out a silent upstream, retries, then reports a request error', async () => {
    const userid = userAnswering({ delayMs: 300, json: { success: true, entries: [] } });
    const error = await failure(client({ timeoutMs: 50, maxRetries: 1 }).fetchFeedPage(userid, 1, signal));
    expect(error).toMatchObject({
      code: 'upstream_request_error',
      message: 'Request error fetching page 1: timed out',
    });
    expect(fixture.hits(userid, 'feed')).toHaveLength(2);
  });

  it('reports a refused connection as a request error', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const closed = client({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const error = await failure(closed.fetchFeedPage(1, 1, signal));
    expect(error).toMatchObject({
      code: 'upstream_request_error',
      message: 'Request error fetching page 1: ECONNREFUSED',
    });
  });

  it('refuses a body larger than the limit', async () => {
    const userid = userAnswering({ json: { success: true, entries: [{ text: 'x'.repeat(100_000) }] } });
    const error = await failure(client({ maxBodyBytes: 10_000 }).fetchFeedPage(userid, 1, signal));
    expect(error.message).toMatch(/^Request error fetching page 1: response body larger than 10000 bytes$/);
    expect(fixture.hits(userid, 'feed')).toHaveLength(1);
  });

  it('stops waiting as soon as the caller aborts', async () => {
    const upstreamDelayMs = 5000;
    const userid = userAnswering({ delayMs: upstreamDelayMs, json: { success: true } });
    const abort = new AbortController();
    const started = Date.now();
    const pending = client().fetchFeedPage(userid, 1, abort.signal);
    setTimeout(() => abort.abort(), 50);
    await expect(pending).rejects.toThrow();
    // Before the upstream's answer, which the aborted call must not wait for.
    expect(Date.now() - started).toBeLessThan(upstreamDelayMs);
  });
});
