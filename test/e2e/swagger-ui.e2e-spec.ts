import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Locator, Page } from 'playwright-core';
import { Brand } from '../../src/brands/brand.entity';
import { makeBrand, makeClub, makeKit, makeSeason } from '../factories/catalog';
import { HeadlessChromium, launchChromium, screenshotWanted } from '../utils/chromium';
import { ADMIN_KEY, startTestApp, TestApp } from '../utils/test-app';

const SCREENSHOT = join(__dirname, '..', '..', 'docs', 'swagger-ui.png');

/**
 * Clicks Execute and returns what the response panel then shows: the status cell (once it shows
 * the status the browser received, so a previous execution's panel is never read) and the body.
 */
async function execute(page: Page, operation: Locator): Promise<{ status: string; body: string }> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(page.url().split('/docs')[0] + '/api/')),
    operation.locator('button.execute').click(),
  ]);
  const row = operation.locator('.live-responses-table tbody tr.response').first();
  await row
    .locator('td.response-col_status', { hasText: String(response.status()) })
    .waitFor({ state: 'visible' });
  const status = (await row.locator('td.response-col_status').innerText()).trim();
  const body = await row.locator('.response-col_description pre').first().innerText();
  return { status, body };
}

/**
 * Swagger UI in a real browser, against the real application on a real port: the page loads
 * (assets, the document, no CSP or script errors that break it), "Try it out" reads a kit, and
 * the Authorize dialog's key makes a keyed write that reaches the database.
 */
describe('Swagger UI in Chromium', () => {
  let t: TestApp;
  let baseUrl: string;
  let browser: HeadlessChromium | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let kitId: number;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestApp();
    const club = await makeClub(t.dataSource, { name: 'Arsenal', slug: 'arsenal-kits' });
    const season = await makeSeason(t.dataSource, { year: '2024-25' });
    const brand = await makeBrand(t.dataSource, { name: 'adidas', slug: 'adidas-kits' });
    kitId = (
      await makeKit(
        t.dataSource,
        { team: club, season, brand },
        { name: 'Arsenal 2024-25 Home', slug: 'arsenal-2024-25-home-kit' },
      )
    ).id;
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();

    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    // A missing element fails the test in seconds, well inside jest's own timeout.
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${baseUrl}/docs`);
    await page.locator('.swagger-ui .information-container .title').waitFor({ state: 'visible' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders the document with every tag and no script errors', async () => {
    await expect(page.locator('.swagger-ui .information-container .title').innerText()).resolves.toMatch(
      /Football Kit Archive API/,
    );
    await expect(page.locator('#operations-tag-kits').isVisible()).resolves.toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('reads a kit with "Try it out": 200 and the kit JSON in the response panel', async () => {
    const operation = page.locator('#operations-kits-KitsController_findOne');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('tr[data-param-name="kit_id"] input').fill(String(kitId));
    const { status, body } = await execute(page, operation);
    expect(status).toBe('200');
    const kit = JSON.parse(body) as { id: number; name: string; team: { name: string } };
    expect(kit).toMatchObject({ id: kitId, name: 'Arsenal 2024-25 Home', team: { name: 'Arsenal' } });

    // The README's picture: the operation's header, its request and the response, readable.
    await operation
      .locator('.opblock-summary')
      .first()
      .evaluate((el) => el.scrollIntoView());
    const png = await page.screenshot();
    // PNG signature, then the IHDR width and height: the viewport, not a blank or cropped image.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 1000]);
    if (screenshotWanted(SCREENSHOT)) {
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await writeFile(SCREENSHOT, png);
    }
  });

  it('sends the key from the Authorize dialog with a keyed write: 201 and the row in the database', async () => {
    const create = page.locator('#operations-brands-BrandsController_create');
    await create.locator('.opblock-summary').first().click();
    await create.locator('button.try-out__btn').click();
    await create.locator('textarea.body-param__text').fill('{"name": "Swagger Brand"}');

    // Without the key first: the guard refuses, so the 201 below is the dialog's doing.
    expect((await execute(page, create)).status).toBe('401');

    await page.locator('.auth-wrapper button.authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input[type="text"], input[type="password"]').first().fill(ADMIN_KEY);
    await dialog.locator('button.modal-btn.auth.authorize').click();
    await dialog.locator('button.btn-done').click();

    const { status, body } = await execute(page, create);
    expect(status).toBe('201');
    const created = JSON.parse(body) as { id: number; name: string; slug: string };
    expect(created).toMatchObject({ name: 'Swagger Brand', slug: 'swagger-brand-kits' });

    const row = await t.dataSource.getRepository(Brand).findOneBy({ id: created.id });
    expect(row).toMatchObject({ name: 'Swagger Brand', slug: 'swagger-brand-kits' });
    expect(pageErrors).toEqual([]);
  });
});
