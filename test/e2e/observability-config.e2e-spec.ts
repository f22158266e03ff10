import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleValue } from '../utils/prometheus-text';
import {
  Dashboard,
  exposedNames,
  HIT_RATIO_PANEL,
  loadDashboard,
  metricNames,
  PROMETHEUS_CONFIG_PATH,
  REPO_ROOT,
  requireBinary,
  withRange,
} from '../utils/observability';

import { startTestApp, TestApp, useTestAppWithRedis } from '../utils/test-app';

const PANEL_TYPES = new Set(['timeseries', 'stat', 'gauge', 'bargauge', 'table', 'text']);
const GRID_WIDTH = 24;

function datasourceUid(): string {
  const yaml = readFileSync(join(REPO_ROOT, 'ops/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
  const uid = /^\s*uid:\s*(\S+)\s*$/m.exec(yaml)?.[1];
  if (!uid) throw new Error('The provisioned datasource has no uid');
  return uid;
}

/** Runs promtool on the expressions as recording rules: it parses each one as PromQL. */
function promtoolCheckRules(expressions: readonly string[]): { status: number | null; output: string } {
  const promtool = requireBinary('promtool', 'prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'fkapi-rules-'));
  try {
    const rules = expressions
      .map((expr, i) => `      - record: fkapi_dashboard:expr_${i}\n        expr: ${JSON.stringify(expr)}\n`)
      .join('');
    const file = join(dir, 'dashboard.rules.yml');
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules}`);
    const run = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const allExpressions = (dashboard: Dashboard): string[] =>
  dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));

describe('Grafana dashboard ops/grafana/dashboards/fkapi.json', () => {
  const dashboard = loadDashboard();

  it('is a dashboard model: uid, title, schema version and uniquely numbered panels', () => {
    expect(dashboard.uid).toBe('fkapi');
    expect(dashboard.title).toBe('FKApi');
    expect(Number.isInteger(dashboard.schemaVersion)).toBe(true);
    expect(dashboard.panels.length).toBeGreaterThan(0);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays every panel out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const { title, gridPos } of dashboard.panels) {
      const { x, y, w, h } = gridPos;
      for (const n of [x, y, w, h]) expect(Number.isInteger(n)).toBe(true);
      expect(w).toBeGreaterThan(0);
      expect(h).toBeGreaterThan(0);
      expect(x + w).toBeLessThanOrEqual(GRID_WIDTH);
      for (let col = x; col < x + w; col++) {
        for (let row = y; row < y + h; row++) {
          const cell = `${col},${row}`;
          if (cells.has(cell)) throw new Error(`Panel "${title}" overlaps another at ${cell}`);
          cells.add(cell);
        }
      }
    }
  });

  it('queries the provisioned Prometheus datasource from every panel, with titled PromQL targets', () => {
    const uid = datasourceUid();
    for (const panel of dashboard.panels) {
      expect(PANEL_TYPES.has(panel.type)).toBe(true);
      expect(panel.title.trim()).not.toBe('');
      expect(panel.datasource).toEqual({ type: 'prometheus', uid });
      expect(panel.targets.length).toBeGreaterThan(0);
      const refIds = panel.targets.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of panel.targets) {
        expect(target.datasource ?? panel.datasource).toEqual({ type: 'prometheus', uid });
        expect(metricNames(target.expr).length).toBeGreaterThan(0);
      }
    }
  });

  it('shows what the issue asks for: hit ratio, hits and misses, entries, invalidations, errors, HTTP p95, readiness', () => {
    const used = new Set(allExpressions(dashboard).flatMap(metricNames));
    for (const name of [
      'fkapi_cache_hits_total',
      'fkapi_cache_misses_total',
      'fkapi_cache_entries',
      'fkapi_cache_invalidations_total',
      'fkapi_cache_errors_total',
      'fkapi_http_request_duration_seconds_bucket',
      'fkapi_dependency_up',
    ]) {
      expect(used).toContain(name);
    }
    const p95 = dashboard.panels.find((p) => p.title === 'HTTP p95 latency by route');
    expect(p95?.targets[0].expr).toMatch(/^histogram_quantile\(0\.95, sum by \(le, route\)/);
  });

  it('computes the hit ratio per cache_type as hits rate / (hits + misses) rate', () => {
    const hits = 'sum by (cache_type) (rate(fkapi_cache_hits_total[$__rate_interval]))';
    const misses = 'sum by (cache_type) (rate(fkapi_cache_misses_total[$__rate_interval]))';
    const panel = dashboard.panels.find((p) => p.title === HIT_RATIO_PANEL);
    expect(panel?.targets[0].expr).toBe(`${hits} / (${hits} + ${misses})`);
  });

  it('has only expressions that promtool parses as PromQL (and promtool does reject bad ones)', () => {
    const good = promtoolCheckRules(allExpressions(dashboard).map((e) => withRange(e, '5m')));
    expect(good.output).toContain('SUCCESS');
    expect(good.status).toBe(0);
    const bad = promtoolCheckRules(['sum by (cache_type (rate(fkapi_cache_hits_total[5m]))']);
    expect(bad.status).not.toBe(0);
  });

  describe('against the real /metrics of the app', () => {
    let t: TestApp;
    useTestAppWithRedis((started) => ({ t } = started));

    it('exposes every metric name the dashboard reads', async () => {
      await t.request({ url: '/api/health/ready' });
      const exposed = exposedNames((await t.request({ url: '/metrics' })).body);
      const missing = allExpressions(dashboard)
        .flatMap(metricNames)
        .filter((name) => !exposed.has(name));
      expect(missing).toEqual([]);
    });

    it('reports PostgreSQL and Redis as up in fkapi_dependency_up after a readiness probe', async () => {
      expect((await t.request({ url: '/api/health/ready' })).statusCode).toBe(200);
      const text = (await t.request({ url: '/metrics' })).body;
      expect(sampleValue(text, 'fkapi_dependency_up', { dependency: 'postgres' })).toBe(1);
      expect(sampleValue(text, 'fkapi_dependency_up', { dependency: 'redis' })).toBe(1);
    });
  });
});

describe('fkapi_dependency_up with Redis unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports Redis as down (0) and PostgreSQL as up (1) after a readiness probe', async () => {
    expect((await t.request({ url: '/api/health/ready' })).statusCode).toBe(200);
    const text = (await t.request({ url: '/metrics' })).body;
    expect(sampleValue(text, 'fkapi_dependency_up', { dependency: 'redis' })).toBe(0);
    expect(sampleValue(text, 'fkapi_dependency_up', { dependency: 'postgres' })).toBe(1);
  });
});

describe('ops/prometheus/prometheus.yml', () => {
  it('is a valid Prometheus configuration scraping the compose api service at /metrics', () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const output = execFileSync(promtool, ['check', 'config', PROMETHEUS_CONFIG_PATH], { encoding: 'utf8' });
    expect(output).toContain('SUCCESS');
    const config = readFileSync(PROMETHEUS_CONFIG_PATH, 'utf8');
    expect(config).toMatch(/metrics_path: \/metrics/);
    expect(config).toMatch(/targets: \["api:3000"\]/);
  });
});

describe('docker-compose.yml', () => {
  const compose = (...args: string[]): string =>
    execFileSync(requireBinary('docker-compose', 'docker-compose'), args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, ADMIN_API_KEY: 'an-operator-chosen-admin-key' },
    });

  it('passes docker-compose config -q', () => {
    expect(compose('config', '-q')).toBe('');
  });

  it('runs the api, PostgreSQL, Redis, Prometheus and Grafana with the provisioning mounted', () => {
    expect(compose('config', '--services').trim().split('\n').sort()).toEqual(
      ['api', 'grafana', 'postgres', 'prometheus', 'redis'].sort(),
    );
    const resolved = compose('config');
    expect(resolved).toContain('ops/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(resolved).toContain('ops/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(resolved).toContain('ops/grafana/dashboards:/var/lib/grafana/dashboards:ro');
    expect(resolved).toMatch(/image: postgres:15/);
    expect(resolved).toMatch(/image: redis:7/);
  });
});
