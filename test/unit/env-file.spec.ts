import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, readEnvironment } from '../../src/config/app-config';

describe('readEnvironment (the .env loader of the API and the CLI)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fkapi-env-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('takes the values of <dir>/.env, comments and quotes handled', async () => {
    await writeFile(
      path.join(dir, '.env'),
      '# a comment\nPORT=4100\nLOG_LEVEL="warn"\nCORS_ORIGINS=a.test,b.test\n',
    );
    const config = loadConfig(readEnvironment(dir, {}));
    expect(config).toMatchObject({ port: 4100, logLevel: 'warn', corsOrigins: ['a.test', 'b.test'] });
  });

  it('lets variables already set win over the file', async () => {
    await writeFile(path.join(dir, '.env'), 'PORT=4100\nHOST=127.0.0.1\n');
    expect(readEnvironment(dir, { PORT: '4200' })).toMatchObject({ PORT: '4200', HOST: '127.0.0.1' });
  });

  it('reads only the given environment when there is no .env', () => {
    expect(readEnvironment(dir, { PORT: '4200' })).toEqual({ PORT: '4200' });
  });

  it('does not write the file into process.env', async () => {
    await writeFile(path.join(dir, '.env'), 'FKAPI_ENV_FILE_PROBE=1\n');
    readEnvironment(dir);
    expect(process.env.FKAPI_ENV_FILE_PROBE).toBeUndefined();
  });
});
