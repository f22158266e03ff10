import { ConfigError, loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { lsnFromKeyText, lsnKeyText, parseLsn } from '../../src/database/wal-position';

describe('DATABASE_REPLICA_URLS', () => {
  it('is empty by default, and the DataSource then has no replication', () => {
    expect(loadConfig({}).databaseReplicaUrls).toEqual([]);
    const options = dataSourceOptions('postgres://db/fkapi', 4, []);
    expect(options).toMatchObject({ url: 'postgres://db/fkapi' });
    expect(options).not.toHaveProperty('replication');
  });

  it('takes comma-separated postgres URLs, each a replica of the primary', () => {
    const config = loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r1:5432/fkapi, postgresql://r2/fkapi' });
    expect(config.databaseReplicaUrls).toEqual(['postgres://r1:5432/fkapi', 'postgresql://r2/fkapi']);
    expect(dataSourceOptions('postgres://db/fkapi', 4, config.databaseReplicaUrls)).toMatchObject({
      replication: {
        master: { url: 'postgres://db/fkapi' },
        slaves: [{ url: 'postgres://r1:5432/fkapi' }, { url: 'postgresql://r2/fkapi' }],
      },
    });
  });

  it('refuses anything but postgres URLs with one line naming the variable', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r1/fkapi,mysql://r2/fkapi' })).toThrow(
      new ConfigError(
        'Invalid configuration: DATABASE_REPLICA_URLS: DATABASE_REPLICA_URLS must be comma-separated postgres:// URLs',
      ),
    );
  });
});

describe('WAL positions', () => {
  it('reads pg_lsn text as a number (high word / low word)', () => {
    expect(parseLsn('0/3072C98')).toBe(0x3072c98n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(() => parseLsn('16-B374D848')).toThrow('not a WAL position');
  });

  it('stores positions as text that compares like the numbers (what the Redis script relies on)', () => {
    const positions = ['0/FFFFFFFF', '1/0', '0/3072C98', 'A/1', '9/FFFFFFFF'].map(parseLsn);
    const asText = positions.map(lsnKeyText);
    expect([...asText].sort()).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)).map(lsnKeyText));
    for (const position of positions) expect(lsnFromKeyText(lsnKeyText(position))).toBe(position);
  });
});
