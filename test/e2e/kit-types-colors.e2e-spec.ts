import { adminHeaders, TestApp, useTestAppWithRedis } from '../utils/test-app';

/** Kit types and colours through the API only, on a migrated database that nothing seeded. */
describe('kit types and colours', () => {
  let t: TestApp;
  useTestAppWithRedis(({ t: started }) => (t = started));

  const post = (url: string, body: unknown) =>
    t.request({ method: 'POST', url, headers: adminHeaders, body });
  const patch = (url: string, body: unknown) =>
    t.request({ method: 'PATCH', url, headers: adminHeaders, body });

  it('takes a new kit type by name and a new colour, then a kit naming both, from an empty catalogue', async () => {
    expect((await t.request({ url: '/api/kit-types' })).json()).toEqual([]);
    const club = (await post('/api/clubs', { name: 'Empty Start FC', country: 'GB' })).json();
    const season = (await post('/api/seasons', { year: '2031-32' })).json();
    const brand = (await post('/api/brands', { name: 'Nobrand' })).json();

    const type = await post('/api/kit-types', { name: 'GK Away' });
    expect(type.statusCode).toBe(201);
    expect(type.json()).toEqual({
      id: expect.any(Number),
      name: 'GK Away',
      category: 'match',
      category_order: 1,
      order_priority: 2,
      is_goalkeeper: true,
    });
    const teal = await post('/api/colors', { name: 'Teal', color: '#008080' });
    expect(teal.statusCode).toBe(201);
    expect(teal.json()).toEqual({ id: expect.any(Number), name: 'Teal', color: '#008080' });

    const kit = await post('/api/kits', {
      name: 'Empty Start FC 2031-32 GK Away',
      team_id: club.id,
      season_id: season.id,
      brand_id: brand.id,
      type: 'GK Away',
      primary_color: 'Teal',
      secondary_color: ['White'],
      main_img_url: 'https://img.example/kits/empty-start-gk.jpg',
    });
    expect(kit.statusCode).toBe(201);
    const detail = kit.json();
    expect(detail.type).toEqual(type.json());
    expect(detail.primary_color).toEqual(teal.json());
    expect(detail.secondary_color).toEqual([{ id: expect.any(Number), name: 'White', color: '#FFFFFF' }]);
    expect((await t.request({ url: '/api/kit-types' })).json()).toEqual([type.json()]);
  });

  it('creates a type it has never seen when a kit names it, categorised from the name', async () => {
    const club = (await post('/api/clubs', { name: 'Named Type FC' })).json();
    const season = (await post('/api/seasons', { year: '2032-33' })).json();
    const brand = (await post('/api/brands', { name: 'Namebrand' })).json();
    const kit = await post('/api/kits', {
      name: 'Named Type FC 2032-33 Training Jacket',
      team_id: club.id,
      season_id: season.id,
      brand_id: brand.id,
      type: '  Training Jacket ',
      primary_color: 'Mint',
      main_img_url: 'https://img.example/kits/named-type.jpg',
    });
    expect(kit.statusCode).toBe(201);
    expect(kit.json().type).toMatchObject({ name: 'Training Jacket', category: 'jacket', category_order: 6 });
    expect(kit.json().primary_color).toMatchObject({ name: 'Mint', color: '#FF0000' });

    const again = await post('/api/kits', {
      name: 'Named Type FC 2032-33 Training Jacket 2',
      team_id: club.id,
      season_id: season.id,
      brand_id: brand.id,
      type: 'Training Jacket',
      main_img_url: 'https://img.example/kits/named-type-2.jpg',
    });
    expect(again.json().type.id).toBe(kit.json().type.id);
  });

  it('gives one type to concurrent kit writes naming the same new type', async () => {
    const before = (await t.request({ url: '/api/kit-types?page_size=100' })).json().length;
    const club = (await post('/api/clubs', { name: 'Race FC' })).json();
    const season = (await post('/api/seasons', { year: '2033-34' })).json();
    const brand = (await post('/api/brands', { name: 'Racebrand' })).json();
    const kits = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        post('/api/kits', {
          name: `Race FC 2033-34 Anthem ${n}`,
          team_id: club.id,
          season_id: season.id,
          brand_id: brand.id,
          type: 'Anthem',
          main_img_url: `https://img.example/kits/race-${n}.jpg`,
        }),
      ),
    );
    expect(kits.map((k) => k.statusCode)).toEqual([201, 201, 201, 201]);
    expect(new Set(kits.map((k) => k.json().type.id)).size).toBe(1);
    expect((await t.request({ url: '/api/kit-types?page_size=100' })).json()).toHaveLength(before + 1);
  });

  it('lists kit types in the original order and drops the cached list when a type is written', async () => {
    for (const name of ['Pre-match Top', 'Away', 'Home', 'GK Home']) await post('/api/kit-types', { name });
    const order = (list: { name: string }[]) =>
      list.map((k) => k.name).filter((n) => ['Pre-match Top', 'Away', 'Home', 'GK Home'].includes(n));
    expect(order((await t.request({ url: '/api/kit-types?page_size=100' })).json())).toEqual([
      'Home',
      'Away',
      'GK Home',
      'Pre-match Top',
    ]);
    const home = (await t.request({ url: '/api/kit-types?page_size=100' }))
      .json()
      .find((k: { name: string }) => k.name === 'Home');
    expect((await patch(`/api/kit-types/${home.id}`, { category: 'travel' })).json()).toMatchObject({
      category: 'travel',
      category_order: 5,
    });
    expect(order((await t.request({ url: '/api/kit-types?page_size=100' })).json())).toEqual([
      'Away',
      'GK Home',
      'Pre-match Top',
      'Home',
    ]);
    expect((await t.request({ url: `/api/kit-types/${home.id}` })).json().category).toBe('travel');
  });

  it('answers the seeded colours and drops a cached colour when it is renamed', async () => {
    const list = (await t.request({ url: '/api/colors?page_size=100' })).json();
    expect(list.slice(0, 3)).toEqual([
      { id: expect.any(Number), name: 'White', color: '#FFFFFF' },
      { id: expect.any(Number), name: 'Red', color: '#FF0000' },
      { id: expect.any(Number), name: 'Blue', color: '#0000FF' },
    ]);
    const created = (await post('/api/colors', { name: 'Lime' })).json();
    expect((await t.request({ url: `/api/colors/${created.id}` })).json().name).toBe('Lime');
    await patch(`/api/colors/${created.id}`, { name: 'Lime green', color: '#32cd32' });
    expect((await t.request({ url: `/api/colors/${created.id}` })).json()).toEqual({
      id: created.id,
      name: 'Lime green',
      color: '#32cd32',
    });
    const names = (await t.request({ url: '/api/colors?page_size=100' }))
      .json()
      .map((c: { name: string }) => c.name);
    expect(names).toContain('Lime green');
    expect(names).not.toContain('Lime');
  });

  it.each([
    ['a type id and a type name', { type_id: 1, type: 'Home' }, 'type'],
    ['neither a type id nor a name', {}, 'type_id'],
    ['a blank type name', { type: '   ' }, 'type'],
    ['a non-string colour name', { type: 'Home', secondary_color: [7] }, 'secondary_color'],
  ])('refuses a kit with %s (422)', async (_label, fields, field) => {
    const res = await post('/api/kits', {
      name: 'Refused',
      team_id: 1,
      season_id: 1,
      brand_id: 1,
      main_img_url: 'https://img.example/kits/refused.jpg',
      ...fields,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail.map((d: { loc: string[] }) => d.loc[1])).toContain(field);
  });

  it.each([
    ['/api/colors', { name: 'Bad', color: 'red' }],
    ['/api/colors', { name: '' }],
    ['/api/kit-types', { name: 'Home', category: 'casual' }],
    ['/api/kit-types', { name: 'Home', order_priority: 100000 }],
  ])('refuses a bad %s body with 422', async (url, body) => {
    expect((await post(url, body)).statusCode).toBe(422);
  });

  it('needs the admin key to write, answers 404 for unknown ids and 422 for bad ids', async () => {
    expect((await t.request({ method: 'POST', url: '/api/colors', body: { name: 'X' } })).statusCode).toBe(
      401,
    );
    expect((await t.request({ url: '/api/kit-types/999999' })).statusCode).toBe(404);
    expect((await t.request({ url: '/api/colors/999999' })).json().detail).toBe(
      'Color with ID 999999 not found',
    );
    expect((await t.request({ url: '/api/colors/abc' })).statusCode).toBe(422);
  });

  it('deletes a kit type with its kits, and a colour leaving its kits without it', async () => {
    const club = (await post('/api/clubs', { name: 'Delete FC' })).json();
    const season = (await post('/api/seasons', { year: '2034-35' })).json();
    const brand = (await post('/api/brands', { name: 'Delbrand' })).json();
    const kit = (
      await post('/api/kits', {
        name: 'Delete FC 2034-35 Vest',
        team_id: club.id,
        season_id: season.id,
        brand_id: brand.id,
        type: 'Vest',
        primary_color: 'Umber',
        main_img_url: 'https://img.example/kits/delete.jpg',
      })
    ).json();
    expect((await t.request({ url: `/api/kits/${kit.id}` })).json().primary_color.name).toBe('Umber');
    const del = (url: string) => t.request({ method: 'DELETE', url, headers: adminHeaders });
    expect((await del(`/api/colors/${kit.primary_color.id}`)).statusCode).toBe(204);
    expect((await t.request({ url: `/api/kits/${kit.id}` })).json().primary_color).toBeNull();
    expect((await del(`/api/kit-types/${kit.type.id}`)).statusCode).toBe(204);
    expect((await t.request({ url: `/api/kits/${kit.id}` })).statusCode).toBe(404);
  });
});
