import { ConfigError, loadConfig } from '../../src/config/app-config';

describe('loadConfig', () => {
  it('applies the defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      cacheTtlSeconds: 3600,
      cacheTtlUserCollectionSeconds: 604800,
      rateLimitPerHour: 100,
      bodyLimitBytes: 1048576,
      apiAuthEnabled: false,
    });
  });

  it('parses typed values and lists', () => {
    const config = loadConfig({
      PORT: '8080',
      API_AUTH_ENABLED: 'yes',
      API_KEYS: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2',
      RATE_LIMIT_WHITELIST: '10.0.0.1,10.0.0.2',
      DATABASE_URL: 'postgres://u:p@db:5432/fkapi',
      USER_COLLECTION_UPSTREAM_URL: 'http://upstream.test/',
    });
    expect(config.port).toBe(8080);
    expect(config.apiAuthEnabled).toBe(true);
    expect(config.apiKeys).toEqual(['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2']);
    expect(config.rateLimitWhitelist).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(config.userCollectionUpstreamUrl).toBe('http://upstream.test');
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'localhost:6379'],
    ['ADMIN_API_KEY', 'short'],
    ['CACHE_TTL_SECONDS', '0'],
    ['API_AUTH_ENABLED', 'maybe'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });
});
