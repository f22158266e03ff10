import { makeKit } from '../factories/catalog';
import { TestApp, useTestAppWithRedis } from '../utils/test-app';

/**
 * Behind proxies the client is the first address, counted from the socket, that is not a
 * trusted proxy: whatever a client writes into `X-Forwarded-For` before the proxies' own
 * entries never chooses its rate-limit bucket or its whitelisting. Here the test is the proxy
 * (its socket peer is 127.0.0.1) and writes the entry a proxy would append last.
 */
describe.each([
  ['a hop count', '1'],
  ['the proxy addresses', '127.0.0.1'],
])('TRUST_PROXY as %s', (_label, trustProxy) => {
  let t: TestApp;
  useTestAppWithRedis(
    (started) => ({ t } = started),
    { TRUST_PROXY: trustProxy, RATE_LIMIT_PER_HOUR: '5', RATE_LIMIT_WHITELIST: '203.0.113.7' },
    { listen: true },
  );

  const statusesOf = async (path: string, forwardedFor: (i: number) => string, count = 8) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${t.baseUrl}${path}`, { headers: { 'x-forwarded-for': forwardedFor(i) } });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    return statuses;
  };
  const LIMITED = [200, 200, 200, 200, 200, 429, 429, 429];

  it('limits one client however it varies its own X-Forwarded-For entries, on a cached URL', async () => {
    const kit = await makeKit(t.dataSource);
    const statuses = await statusesOf(`/api/kits/${kit.id}`, (i) => `198.51.100.${i}, 192.0.2.10`);
    expect(statuses).toEqual(LIMITED);
  });

  it('does not whitelist a client that writes a whitelisted address before the proxy entry', async () => {
    const kit = await makeKit(t.dataSource);
    const statuses = await statusesOf(`/api/kits/${kit.id}`, () => '203.0.113.7, 192.0.2.20');
    expect(statuses).toEqual(LIMITED);
  });

  it('whitelists the address the proxy reports, and keys distinct clients apart', async () => {
    const kit = await makeKit(t.dataSource);
    expect(await statusesOf(`/api/kits/${kit.id}`, () => '203.0.113.7')).toEqual(Array<number>(8).fill(200));
    for (const client of ['192.0.2.30', '192.0.2.31'])
      expect(await statusesOf(`/api/kits/${kit.id}`, () => client)).toEqual(LIMITED);
  });
});
