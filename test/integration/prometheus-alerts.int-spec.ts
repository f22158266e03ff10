import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { metricNames, requireBinary } from '../utils/observability';

const root = path.resolve(__dirname, '../..');
const RULES = path.join(root, 'ops/prometheus/rules/fkapi-alerts.yml');
const TESTS = path.join(root, 'ops/prometheus/tests/fkapi-alerts.test.yml');

const alertNames = (text: string): string[] => [...text.matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]);

/** Every metric name registered by the application's metrics classes. */
function registeredMetrics(): string {
  const dir = path.join(root, 'src/metrics');
  return readdirSync(dir)
    .map((file) => readFileSync(path.join(dir, file), 'utf8'))
    .join('\n');
}

describe('ops/prometheus alerting rules', () => {
  const promtool = (): string => requireBinary('promtool', 'prometheus');
  const rules = readFileSync(RULES, 'utf8');
  const tests = readFileSync(TESTS, 'utf8');

  it('are valid rules', () => {
    const output = execFileSync(promtool(), ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(output).toContain(`SUCCESS: ${alertNames(rules).length} rules found`);
  });

  it('pass their promtool unit tests', () => {
    const run = spawnSync(promtool(), ['test', 'rules', TESTS], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('each have a test where they fire and one where they stay quiet', () => {
    const names = alertNames(rules);
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      const cases = [...tests.matchAll(new RegExp(`alertname: ${name}\\n\\s+exp_alerts:(.*)`, 'g'))];
      expect({ name, fires: cases.some((c) => c[1].trim() === '') }).toEqual({ name, fires: true });
      expect({ name, quiet: cases.some((c) => c[1].trim() === '[]') }).toEqual({ name, quiet: true });
    }
  });

  it('read only metrics the application exposes', () => {
    const exposed = registeredMetrics();
    const read = metricNames(rules).map((name) => name.replace(/_(bucket|count|sum)$/, ''));
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((name) => !exposed.includes(`'${name}'`))).toEqual([]);
  });

  it('each link to a runbook section of docs/OPERATIONS.md', () => {
    const operations = readFileSync(path.join(root, 'docs/OPERATIONS.md'), 'utf8');
    for (const name of alertNames(rules)) {
      expect(rules).toContain(`runbook: "docs/OPERATIONS.md#${name.toLowerCase()}"`);
      expect(operations).toMatch(new RegExp(`^#{3,4} ${name}$`, 'm'));
    }
  });

  it('fail their unit tests when an expectation is wrong (the check bites)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fkapi-alerts-'));
    try {
      writeFileSync(path.join(dir, 'rules.yml'), rules);
      // Expect the API-down alert after 1 minute of the 2 it must wait.
      const wrong = tests
        .replace('../rules/fkapi-alerts.yml', path.join(dir, 'rules.yml'))
        .replace(
          'eval_time: 6m\n        alertname: FKApiTargetDown',
          'eval_time: 3m\n        alertname: FKApiTargetDown',
        );
      expect(wrong).not.toBe(tests);
      writeFileSync(path.join(dir, 'tests.yml'), wrong);
      const run = spawnSync(promtool(), ['test', 'rules', path.join(dir, 'tests.yml')], { encoding: 'utf8' });
      expect(run.status).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).toContain('FKApiTargetDown');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are loaded by the Prometheus of docker-compose.yml', () => {
    const config = readFileSync(path.join(root, 'ops/prometheus/prometheus.yml'), 'utf8');
    expect(config).toMatch(/rule_files:\n\s+- "rules\/\*\.yml"/);
    const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('./ops/prometheus/rules:/etc/prometheus/rules:ro');
  });
});
