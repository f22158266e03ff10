import { ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeClub } from '../factories/catalog';
import { launchChromium, screenshotWanted } from '../utils/chromium';
import { PreviewSeries, renderDashboardPreview } from '../utils/dashboard-preview';
import { sampleValue } from '../utils/prometheus-text';
import {
  HIT_RATIO_PANEL,
  loadDashboard,
  panelExpression,
  PROMETHEUS_CONFIG_PATH,
  REPO_ROOT,
  requireBinary,
  withRange,
} from '../utils/observability';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

const SCREENSHOT = join(REPO_ROOT, 'docs', 'prometheus-dashboard.png');

type Sample = [number, string];
interface QueryResult {
  status: string;
  error?: string;
  data: {
    resultType: 'vector' | 'matrix' | 'scalar' | 'string';
    result: { metric: Record<string, string>; value?: Sample; values?: Sample[] }[];
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until `check` returns a value. Not a timed assertion: the deadline only turns a
 * Prometheus that never gets there into a readable failure instead of jest's timeout.
 */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  deadlineMs = 60_000,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) {
      const reason = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`Prometheus never ${what}${reason}`);
    }
    await sleep(200);
  }
}

/**
 * Debian's real Prometheus scraping the real application over TCP, with the project's own scrape
 * configuration (only the interval and the target changed): cache traffic of known hits and
 * misses must come out of Prometheus's HTTP API as the counter values and as the hit ratio the
 * Grafana dashboard computes, with the dashboard's own expression.
 */
describe('Prometheus scraping the API (Debian prometheus package)', () => {
  let redis: TestRedisDb;
  let t: TestApp;
  let workDir: string;
  let prometheus: ChildProcess | undefined;
  let prometheusLog = '';
  let promUrl: string;
  const dashboard = loadDashboard();

  async function query(expr: string, time?: number): Promise<QueryResult['data']> {
    const params = new URLSearchParams({ query: expr });
    if (time !== undefined) params.set('time', String(time));
    const response = await fetch(`${promUrl}/api/v1/query?${params.toString()}`);
    const body = (await response.json()) as QueryResult;
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? response.status}`);
    return body.data;
  }

  async function queryRange(expr: string, start: number, end: number): Promise<QueryResult['data']> {
    const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: '1' });
    const response = await fetch(`${promUrl}/api/v1/query_range?${params.toString()}`);
    const body = (await response.json()) as QueryResult;
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? response.status}`);
    return body.data;
  }

  /** The club series of a counter as Prometheus has it now (undefined before the first scrape of it). */
  async function scraped(name: string): Promise<number | undefined> {
    const { result } = await query(`${name}{cache_type="club"}`);
    return result[0]?.value ? Number(result[0].value[1]) : undefined;
  }

  async function appCounters(): Promise<{ hits: number; misses: number }> {
    const text = (await t.request({ url: '/metrics' })).body;
    return {
      hits: sampleValue(text, 'fkapi_cache_hits_total', { cache_type: 'club' }) ?? 0,
      misses: sampleValue(text, 'fkapi_cache_misses_total', { cache_type: 'club' }) ?? 0,
    };
  }

  /** Reads a new club `reads` times: one miss, then `reads - 1` hits. */
  async function readNewClub(reads: number): Promise<void> {
    const club = await makeClub(t.dataSource);
    for (let i = 0; i < reads; i++) {
      expect((await t.request({ url: `/api/clubs/${club.id}` })).statusCode).toBe(200);
    }
  }

  async function waitForScrapedCounters(hits: number, misses: number): Promise<void> {
    await eventually(`showed ${hits} club hits and ${misses} misses`, async () =>
      (await scraped('fkapi_cache_hits_total')) === hits &&
      (await scraped('fkapi_cache_misses_total')) === misses
        ? true
        : undefined,
    );
  }

  beforeAll(async () => {
    const binary = requireBinary('prometheus', 'prometheus');
    redis = await leaseRedisDb();
    t = await startTestApp({ REDIS_URL: redis.url });
    await t.app.listen(0, '127.0.0.1');
    const appPort = (t.app.getHttpServer().address() as AddressInfo).port;

    workDir = await mkdtemp(join(tmpdir(), 'fkapi-prometheus-'));
    const project = await readFile(PROMETHEUS_CONFIG_PATH, 'utf8');
    const config = project
      .replace(/scrape_interval: \S+/, 'scrape_interval: 1s')
      .replace('targets: ["api:3000"]', `targets: ["127.0.0.1:${appPort}"]`);
    expect(config).toContain('scrape_interval: 1s');
    expect(config).toContain(`127.0.0.1:${appPort}`);
    await writeFile(join(workDir, 'prometheus.yml'), config);

    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prometheus = spawn(
      binary,
      [
        `--config.file=${join(workDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer): void => {
      prometheusLog = (prometheusLog + chunk.toString()).slice(-4000);
    };
    prometheus.stdout?.on('data', keep);
    prometheus.stderr?.on('data', keep);
    await eventually('became ready', async () => {
      if (prometheus?.exitCode !== null) throw new Error(`exited:\n${prometheusLog}`);
      return (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined;
    });
    await eventually('scraped the app', async () => {
      const { result } = await query('up{job="fkapi"}');
      return result[0]?.value?.[1] === '1' ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (workDir) await rm(workDir, { recursive: true, force: true });
    await t?.close();
    await redis?.release();
  });

  it("sees the app's club hits and misses in fkapi_cache_hits_total / fkapi_cache_misses_total, and the dashboard's hit ratio", async () => {
    const base = await appCounters();
    // Phase 1: 1 miss and 3 hits. Phase 2: 3 misses and 9 hits. Same 3:1 proportion in both,
    // so the ratio over phase 2 is exactly 9 / 12 whatever Prometheus's extrapolation does.
    await readNewClub(4);
    await waitForScrapedCounters(base.hits + 3, base.misses + 1);
    for (let i = 0; i < 3; i++) await readNewClub(4);
    await waitForScrapedCounters(base.hits + 12, base.misses + 4);

    // The app agrees with what Prometheus scraped.
    expect(await appCounters()).toEqual({ hits: base.hits + 12, misses: base.misses + 4 });

    // The raw samples: the last one after phase 1 and the first one after phase 2.
    const raw = async (name: string): Promise<Sample[]> => {
      const { result } = await query(`${name}{cache_type="club"}[5m]`);
      return result[0].values ?? [];
    };
    const [hits, misses] = [await raw('fkapi_cache_hits_total'), await raw('fkapi_cache_misses_total')];
    const valueAt = (samples: Sample[], ts: number): number | undefined => {
      const found = samples.find(([at]) => at === ts);
      return found ? Number(found[1]) : undefined;
    };
    const afterPhase1 = hits
      .filter(([ts, v]) => Number(v) === base.hits + 3 && valueAt(misses, ts) === base.misses + 1)
      .at(-1)?.[0];
    const afterPhase2 = hits.find(
      ([ts, v]) => Number(v) === base.hits + 12 && valueAt(misses, ts) === base.misses + 4,
    )?.[0];
    expect(afterPhase1).toBeDefined();
    expect(afterPhase2).toBeDefined();

    // The dashboard's expression, its rate window spanning exactly those two scrapes (plus
    // 100 ms, less than the 1 s scrape interval, so no earlier sample is included).
    const windowMs = Math.round((afterPhase2! - afterPhase1!) * 1000) + 100;
    const expr = withRange(panelExpression(dashboard, HIT_RATIO_PANEL), `${windowMs}ms`);
    const { result } = await query(expr, afterPhase2);
    const club = result.find((r) => r.metric.cache_type === 'club');
    expect(club?.value).toBeDefined();
    expect(Number(club!.value![1])).toBeCloseTo(9 / 12, 9);
  }, 120_000);

  it('scrapes the readiness gauge: PostgreSQL and Redis up', async () => {
    expect((await t.request({ url: '/api/health/ready' })).statusCode).toBe(200);
    const up = await eventually('showed both dependencies up', async () => {
      const { result } = await query('fkapi_dependency_up');
      return result.length === 2 && result.every((r) => r.value?.[1] === '1') ? result : undefined;
    });
    expect(up.map((r) => r.metric.dependency).sort()).toEqual(['postgres', 'redis']);
  }, 60_000);

  it("answers every dashboard panel's queries over real traffic, drawn as the README's picture", async () => {
    // Fails at once, with the line that installs it, when there is no browser for the picture.
    await (await launchChromium()).close();
    // A few seconds of mixed traffic so the graphs have something to draw: reads that hit and
    // miss in several families, a search, an invalidation, a 404 and a 422.
    const trafficStart = Date.now() / 1000;
    const clubs = await Promise.all([0, 1, 2].map(() => makeClub(t.dataSource)));
    for (let round = 0; round < 8; round++) {
      for (const club of clubs) await t.request({ url: `/api/clubs/${club.id}` });
      await t.request({ url: `/api/clubs/search?keyword=club ${round % 3}` });
      await t.request({ url: '/api/kits/999999' });
      await t.request({ url: '/api/clubs/not-a-number' });
      if (round % 3 === 0) {
        await t.request({
          method: 'PATCH',
          url: `/api/clubs/${clubs[0].id}`,
          headers: adminHeaders,
          body: { country: 'FR' },
        });
      }
      await t.request({ url: '/api/health/ready' });
      await sleep(1000);
    }

    // Every query of every panel over the traffic, as Grafana would ask (its $__rate_interval
    // is 4 scrape intervals at least: 4 s here, 5 s taken).
    const end = Date.now() / 1000;
    const seriesByPanel = new Map<number, PreviewSeries[]>();
    for (const panel of dashboard.panels) {
      const series: PreviewSeries[] = [];
      for (const target of panel.targets) {
        const data = await queryRange(withRange(target.expr, '5s'), trafficStart - 5, end);
        for (const { metric, values } of data.result) {
          series.push({
            legend: (target.legendFormat ?? '').replace(
              /\{\{(\w+)\}\}/g,
              (_, label: string) => metric[label] ?? '',
            ),
            points: (values ?? []).map(([t, v]) => [t, Number(v)]),
          });
        }
      }
      seriesByPanel.set(panel.id, series);
    }
    // Only the error panel is empty: nothing failed in Redis during this traffic.
    const empty = dashboard.panels
      .filter((p) => (seriesByPanel.get(p.id) ?? []).length === 0)
      .map((p) => p.title);
    expect(empty).toEqual(['Cache errors by operation']);
    const html = renderDashboardPreview(
      dashboard,
      seriesByPanel,
      "ops/grafana/dashboards/fkapi.json's panels and queries, data from Debian's Prometheus (not Grafana)",
    );

    const browser = await launchChromium();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      page.setDefaultTimeout(20_000);
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.setContent(html);
      expect(await page.locator('main section').count()).toBe(dashboard.panels.length);
      expect(await page.locator('main section polyline').count()).toBeGreaterThan(0);
      expect(pageErrors).toEqual([]);
      const png = await page.screenshot({ fullPage: true });
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(1280);
      if (screenshotWanted(SCREENSHOT)) {
        await mkdir(dirname(SCREENSHOT), { recursive: true });
        await writeFile(SCREENSHOT, png);
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
