import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

describe('the documentation', () => {
  it('has only relative links that resolve to files (and headings) of the repository', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts/check-links.mjs')], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('keeps the README under 10 KB', () => {
    expect(statSync(path.join(root, 'README.md')).size).toBeLessThanOrEqual(10_240);
  });
});
