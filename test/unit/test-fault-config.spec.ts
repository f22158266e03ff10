import { ConfigError, loadConfig } from '../../src/config/app-config';

describe('TEST_CRASH_AFTER_COMMIT', () => {
  it('is off by default', () => {
    expect(loadConfig({}).testCrashAfterCommit).toBe(false);
  });

  it('is accepted under NODE_ENV=test only', () => {
    expect(loadConfig({ NODE_ENV: 'test', TEST_CRASH_AFTER_COMMIT: 'true' }).testCrashAfterCommit).toBe(true);
    for (const NODE_ENV of ['production', 'development', undefined])
      expect(() => loadConfig({ NODE_ENV, TEST_CRASH_AFTER_COMMIT: 'true' })).toThrow(
        new ConfigError(
          'Invalid configuration: TEST_CRASH_AFTER_COMMIT is a test fault, only with NODE_ENV=test',
        ),
      );
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', TEST_CRASH_AFTER_COMMIT: 'sometimes' })).toThrow(
      /TEST_CRASH_AFTER_COMMIT/,
    );
  });
});
