import { makeKit } from '../factories/catalog';
import { startTestApp, TestApp } from '../utils/test-app';

/** The kit detail query goes to PostgreSQL as a named prepared statement, planned once per connection. */
describe('kit detail as a prepared statement', () => {
  const preparedKitQueries = async (t: TestApp): Promise<Array<{ name: string }>> =>
    t.dataSource.query<Array<{ name: string }>>(
      `SELECT name FROM pg_prepared_statements WHERE name LIKE 'fkapi\\_%' AND statement LIKE '%FROM "kits"%'`,
    );

  describe('on (the default)', () => {
    let t: TestApp;
    // One connection: the statement prepared by the reads is visible to the check below.
    beforeAll(async () => (t = await startTestApp({ DATABASE_POOL_SIZE: '1' })));
    afterAll(async () => t.close());

    it('prepares the detail once on the connection and answers every kit from it', async () => {
      const kits = await Promise.all(
        [1, 2, 3].map((i) => makeKit(t.dataSource, {}, { name: `Prepared Kit ${i}` })),
      );
      for (const kit of kits) {
        const res = await t.request({ url: `/api/kits/${kit.id}` });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ id: kit.id, name: kit.name });
      }
      expect(await preparedKitQueries(t)).toHaveLength(1);
      expect((await t.request({ url: '/api/kits/999999999' })).statusCode).toBe(404);
    });
  });

  describe('off (DATABASE_PREPARED_STATEMENTS=false)', () => {
    let t: TestApp;
    beforeAll(
      async () =>
        (t = await startTestApp({ DATABASE_POOL_SIZE: '1', DATABASE_PREPARED_STATEMENTS: 'false' })),
    );
    afterAll(async () => t.close());

    it('sends the detail unnamed, with the same answer', async () => {
      const kit = await makeKit(t.dataSource, {}, { name: 'Unprepared Kit' });
      const res = await t.request({ url: `/api/kits/${kit.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: kit.id, name: 'Unprepared Kit' });
      expect(await preparedKitQueries(t)).toHaveLength(0);
    });
  });
});
