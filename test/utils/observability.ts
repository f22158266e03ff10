import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const DASHBOARD_PATH = join(REPO_ROOT, 'ops/grafana/dashboards/fkapi.json');
export const PROMETHEUS_CONFIG_PATH = join(REPO_ROOT, 'ops/prometheus/prometheus.yml');

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  datasource?: { type: string; uid: string };
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets: DashboardTarget[];
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: DashboardPanel[];
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** The one expression of the panel with this title (the tests query exactly what Grafana shows). */
export function panelExpression(dashboard: Dashboard, title: string): string {
  const panel = dashboard.panels.find((p) => p.title === title);
  if (!panel) throw new Error(`The dashboard has no panel "${title}"`);
  return panel.targets[0].expr;
}

export const HIT_RATIO_PANEL = 'Cache hit ratio by cache_type';

/**
 * Grafana replaces `$__rate_interval` before sending a query; Prometheus and promtool need a
 * real range instead.
 */
export function withRange(expr: string, range: string): string {
  return expr.replaceAll('$__rate_interval', range);
}

/**
 * The path of a binary from a Debian package, or an error saying how to get it: `.ci/run`
 * installs these packages, so a missing one is a broken machine, not a reason to skip.
 */
export function requireBinary(name: string, debianPackage: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: run "apt-get install ${debianPackage}" (.ci/run installs it)`);
  }
}

/** Metric names a PromQL expression reads (ours, prom-client's process and Node metrics). */
export function metricNames(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:fkapi|process|nodejs)_[a-z0-9_]+\b/g) ?? [])];
}

/**
 * Every sample name a Prometheus text exposition can produce, from its `# TYPE` lines: a
 * histogram `x` also yields `x_bucket`, `x_sum` and `x_count`. Counters whose labelled series
 * were never incremented have no sample yet but do have their `# TYPE` line.
 */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}
