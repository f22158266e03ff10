import { performance } from 'node:perf_hooks';
import { makeClub, makeKit } from '../factories/catalog';
import { adminHeaders } from '../utils/test-app';
import { ApiProcess } from './harness/api-process';
import { chaosSeconds, ChaosEnvironment, startChaosEnvironment } from './harness/environment';

/**
 * Writers during a Redis outage retry their invalidation for a few seconds after commit; they
 * must not hold pooled connections meanwhile, or readers (now all served by PostgreSQL) starve.
 * 12 writers and 4 readers on a pool of 10, the same load with Redis up and with Redis killed.
 */
const WRITERS = 12;
const READERS = 4;

interface PhaseResult {
  reads: number;
  writes: number;
  serverErrors: number;
}

async function runLoad(
  api: ApiProcess,
  kitIds: number[],
  clubIds: number[],
  ms: number,
): Promise<PhaseResult> {
  const result: PhaseResult = { reads: 0, writes: 0, serverErrors: 0 };
  const until = performance.now() + ms;
  let n = 0;
  const reader = async (): Promise<void> => {
    while (performance.now() < until) {
      const res = await fetch(`${api.url}/api/kits/${kitIds[n++ % kitIds.length]}`);
      await res.arrayBuffer();
      if (res.status >= 500) result.serverErrors++;
      else result.reads++;
    }
  };
  const writer = async (id: number): Promise<void> => {
    while (performance.now() < until) {
      const res = await fetch(`${api.url}/api/clubs/${id}`, {
        method: 'PATCH',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Writer ${id} ${n++}` }),
      });
      await res.arrayBuffer();
      if (res.status >= 500) result.serverErrors++;
      else result.writes++;
    }
  };
  await Promise.all([...Array.from({ length: READERS }, () => reader()), ...clubIds.map((id) => writer(id))]);
  return result;
}

describe('reads during a Redis outage with writers', () => {
  let env: ChaosEnvironment;
  let api: ApiProcess;

  beforeAll(async () => {
    env = await startChaosEnvironment();
    api = await env.startApi({ DATABASE_POOL_SIZE: '10', REDIS_COMMAND_TIMEOUT_MS: '250' });
  }, 180_000);
  afterAll(async () => env?.close(), 60_000);

  it('keep at least half their Redis-up throughput: writers do not hold connections while retrying', async () => {
    const seconds = chaosSeconds(6);
    const team = await makeClub(env.dataSource);
    const kitIds: number[] = [];
    for (let i = 0; i < 40; i++) kitIds.push((await makeKit(env.dataSource, { team })).id);
    const clubIds: number[] = [];
    for (let i = 0; i < WRITERS; i++) clubIds.push((await makeClub(env.dataSource)).id);

    const up = await runLoad(api, kitIds, clubIds, seconds * 1000);
    await env.redis.kill();
    const down = await runLoad(api, kitIds, clubIds, seconds * 1000);
    await env.redis.start();

    const ratio = down.reads / up.reads;
    process.stdout.write(
      `  ${WRITERS} writers, ${READERS} readers, pool 10, ${seconds} s each: ` +
        `Redis up ${up.reads} reads (${(up.reads / seconds).toFixed(0)}/s), ${up.writes} writes; ` +
        `Redis killed ${down.reads} reads (${(down.reads / seconds).toFixed(0)}/s), ${down.writes} writes; ` +
        `ratio ${(ratio * 100).toFixed(0)} %; 5xx ${up.serverErrors + down.serverErrors}\n`,
    );
    expect(up.serverErrors + down.serverErrors).toBe(0);
    expect(down.writes).toBeGreaterThan(0);
    expect(ratio).toBeGreaterThanOrEqual(0.5);
  }, 120_000);
});
