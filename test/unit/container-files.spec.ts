import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

/** Stages of a Dockerfile, by their `AS` name. */
function stages(dockerfile: string): Record<string, string> {
  const parts = dockerfile.split(/^FROM /m).slice(1);
  return Object.fromEntries(parts.map((part) => [/ AS (\w+)/.exec(part.split('\n')[0])?.[1] ?? '', part]));
}

describe('the container image', () => {
  const dockerfile = read('Dockerfile');
  const { build, runtime } = stages(dockerfile);

  it('builds and runs on the current LTS image', () => {
    expect(build.split('\n')[0]).toMatch(/^node:24-/);
    expect(runtime.split('\n')[0]).toMatch(/^node:24-/);
  });

  it('installs no dev or optional dependencies (no embedded PostgreSQL) and copies no sources or tests', () => {
    expect(runtime).toMatch(/npm ci [^\n]*--omit=dev --omit=optional/);
    const copies = runtime.split('\n').filter((line) => line.startsWith('COPY'));
    expect(copies).toEqual(['COPY package.json package-lock.json ./', 'COPY --from=build /app/dist ./dist']);
    expect(runtime).toMatch(/^USER node$/m);
  });

  it('checks its health on the readiness endpoint', () => {
    expect(runtime).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD [^\n]*\/api\/health\/ready/m);
  });

  it('keeps node_modules, local data, secrets and tests out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', '.data', '.env', 'test', '.git', 'dist']),
    );
  });
});

describe('package.json engines', () => {
  it('names the Node versions CI runs (20 and 24) and the LTS between them', () => {
    const { engines } = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(engines.node).toBe('^20.19.0 || ^22.12.0 || >=24.0.0');
    expect(read('.ci/run')).toContain("npx --yes -p node@24 -c 'command -v node'");
  });
});
