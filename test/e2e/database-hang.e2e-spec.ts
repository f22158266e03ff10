import { makeClub } from '../factories/catalog';
import { startTcpProxy, TcpProxy, throughProxy } from '../utils/tcp-proxy';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/**
 * PostgreSQL behind a proxy that can go silent (connections open, nothing forwarded): what a
 * hung server or a partitioned link looks like to the pool. No request may wait for the outage
 * to end: each answers 503 within the configured timeouts while the link is still silent.
 */
describe('a hanging PostgreSQL', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    t = await startTestApp(
      {
        DATABASE_URL: throughProxy(db.url, proxy),
        DATABASE_CONNECT_TIMEOUT_MS: '400',
        DATABASE_STATEMENT_TIMEOUT_MS: '400',
        DATABASE_QUERY_TIMEOUT_MS: '600',
      },
      { database: db },
    );
  });
  afterAll(async () => {
    proxy.restore();
    await t.close();
    await proxy.close();
    await db.drop();
  });

  /** Sends while the link is silent: the answer has to come before the link comes back. */
  const whileHung = (request: Parameters<TestApp['request']>[0]) => {
    proxy.hang();
    return t.request(request);
  };

  it('answers 503 database_unavailable to reads and writes while it hangs, then recovers by itself', async () => {
    const club = await makeClub(t.dataSource, { name: 'Hung FC', slug: 'hung-fc-timeouts' });
    // More requests than the pool (4) has connections: waiting for one is bounded too.
    proxy.hang();
    const reads = await Promise.all(
      Array.from({ length: 6 }, () => t.request({ url: `/api/clubs/${club.id}` })),
    );
    for (const res of reads) {
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'database_unavailable' });
    }
    const write = await whileHung({
      method: 'PATCH',
      url: `/api/clubs/${club.id}`,
      headers: adminHeaders,
      body: { name: 'Hung FC Renamed' },
    });
    expect(write.statusCode).toBe(503);
    expect(write.json()).toMatchObject({ code: 'database_unavailable' });

    proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await t.request({ url: `/api/clubs/${club.id}` })).statusCode;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });

  it('answers 503 when a new connection cannot even be opened', async () => {
    const club = await makeClub(t.dataSource, { name: 'Silent FC', slug: 'silent-fc-timeouts' });
    // The pooled connections are dropped; those opened during the outage never get a greeting.
    proxy.cut();
    const pool = (t.dataSource.driver as unknown as { master: { totalCount: number } }).master;
    for (let attempt = 0; attempt < 50 && pool.totalCount > 0; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.totalCount).toBe(0);
    proxy.restore();
    const res = await whileHung({ url: `/api/clubs/${club.id}/kits?page_size=7` });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'database_unavailable' });
    proxy.restore();
  });
});
