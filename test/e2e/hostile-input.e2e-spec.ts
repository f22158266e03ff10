import { makeClub } from '../factories/catalog';
import { TestRedisDb } from '../utils/redis-db';
import { adminHeaders, TestApp, useTestAppWithRedis } from '../utils/test-app';

describe('hostile request bodies and cache keys', () => {
  let t: TestApp;
  let redis: TestRedisDb;
  useTestAppWithRedis((started) => ({ t, redis } = started));

  const post = (url: string, payload: string) =>
    t.request({
      method: 'POST',
      url,
      headers: { ...adminHeaders, 'content-type': 'application/json' },
      payload,
    });

  describe('JSON nesting', () => {
    it.each([
      ['arrays', (depth: number) => `{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`],
      ['objects', (depth: number) => `{"name":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`],
    ])('answers 422 for %s nested 10,000 deep, never a 500', async (_label, nest) => {
      const res = await post('/api/clubs', nest(10_000));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'validation_error' });
      expect(res.json().detail[0]).toMatchObject({ type: 'json_too_deep', loc: ['body'] });
    });

    it('still parses a body of ordinary depth, brackets inside strings not counted', async () => {
      const res = await post('/api/cache/invalidate', JSON.stringify({ key: `club_${'['.repeat(100)}` }));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ target: 'key', deleted: 0 });
    });

    it('refuses prototype pollution as before', async () => {
      const res = await post('/api/cache/invalidate', '{"__proto__":{"all":true}}');
      expect(res.statusCode).toBe(400);
    });
  });

  describe('control characters', () => {
    it.each([
      ['NUL', 'Nul\u0000FC'],
      ['ESC', 'Esc\u001bFC'],
      ['DEL', 'Del\u007fFC'],
    ])('answers 422 naming the field for a name containing %s, never a 500', async (_label, name) => {
      const res = await post('/api/clubs', JSON.stringify({ name, slug: 'control-chars-fc' }));
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type: 'control_character', loc: ['body', 'name'] });
    });

    it('looks into nested values and object keys too', async () => {
      const nested = await post('/api/kits', JSON.stringify({ colors: ['red', 'bl\u0000ue'] }));
      expect(nested.statusCode).toBe(422);
      expect(nested.json().detail[0].loc).toEqual(['body', 'colors', 1]);
      const key = await post('/api/kits', JSON.stringify({ 'na\u0000me': 'x' }));
      expect(key.statusCode).toBe(422);
    });

    it('keeps accepting text with line breaks and tabs where a field allows it', async () => {
      const res = await post('/api/clubs', JSON.stringify({ name: 'Tab\tFC', slug: 'tab-fc-control' }));
      expect(res.statusCode).not.toBe(422);
      expect(res.statusCode).toBeLessThan(500);
    });
  });

  describe('the cache index is not an entry', () => {
    it.each([
      'tag:kit:3',
      'fkapi:tag:kit:3',
      'inv:seq',
      'inv:all',
      'inv:tag:kit:3',
      'types',
      'tags',
      'type:club',
      'fkapi:cache-manager:x',
      'lock:user_collection:5',
    ])('refuses DELETE /api/cache/keys/%s (422 naming why) and leaves it in place', async (key) => {
      const club = await makeClub(t.dataSource);
      await t.request({ url: `/api/clubs/${club.id}` });
      const before = await redis.client.dbSize();
      const res = await t.request({
        method: 'DELETE',
        url: `/api/cache/keys/${encodeURIComponent(key)}`,
        headers: adminHeaders,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type: 'internal_key', loc: ['path', 'key'] });
      expect(res.json().detail[0].msg).toMatch(/internal/);
      expect(await redis.client.dbSize()).toBe(before);
      const body = await t.request({
        method: 'POST',
        url: '/api/cache/invalidate',
        headers: adminHeaders,
        body: { key },
      });
      expect(body.statusCode).toBe(422);
      expect(body.json().detail[0]).toMatchObject({ type: 'internal_key', loc: ['body', 'key'] });
    });

    it('keeps the sequence and tag index, so a later rename still invalidates', async () => {
      const club = await makeClub(t.dataSource, { name: 'Indexed FC', slug: 'indexed-fc-keys' });
      await t.request({ url: `/api/clubs/${club.id}` });
      const seq = await redis.client.get('fkapi:inv:seq');
      for (const key of [`tag:club:${club.id}`, 'inv:seq'])
        await t.request({ method: 'DELETE', url: `/api/cache/keys/${key}`, headers: adminHeaders });
      expect(await redis.client.get('fkapi:inv:seq')).toBe(seq);
      await t.request({
        method: 'PATCH',
        url: `/api/clubs/${club.id}`,
        headers: adminHeaders,
        body: { name: 'Renamed Indexed FC' },
      });
      const after = await t.request({ url: `/api/clubs/${club.id}` });
      expect(after.json().name).toBe('Renamed Indexed FC');
    });

    it('still deletes an ordinary entry whose key contains a colon', async () => {
      const res = await t.request({
        method: 'DELETE',
        url: `/api/cache/keys/${encodeURIComponent('search_clubs_keyword=a:b')}`,
        headers: adminHeaders,
      });
      expect(res.statusCode).toBe(200);
    });
  });
});
