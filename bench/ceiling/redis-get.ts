// A reference, not a contender: the bare minimum of a cached read over Redis — Node's http server
// and one node-redis GET per request, no framework, no headers beyond the content type, no
// metrics. Issue 5 sizes its targets on such a server ("about 1.15× the ceiling"); running it in
// the same run shows what a Redis round trip costs on the machine at hand.
//
// Environment: PORT, HOST (default 127.0.0.1), REDIS_URL (the benchmark's database, where our API
// has cached the kits), ENTRY_PREFIX (where its entries are: `fkapi:v1:`, then `kit_<id>`).
import { createServer } from 'node:http';
import { createClient } from 'redis';

const PREFIX = '/api/kits/';
const ENTRY_PREFIX = process.env.ENTRY_PREFIX ?? 'fkapi:v1:';

async function main(): Promise<void> {
  const redis = createClient({ url: process.env.REDIS_URL });
  await redis.connect();
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    const id = url.startsWith(PREFIX) ? url.slice(PREFIX.length) : '';
    if (!/^\d+$/.test(id)) {
      response.writeHead(404).end();
      return;
    }
    redis.get(`${ENTRY_PREFIX}kit_${id}`).then(
      (json) => {
        if (json === null) {
          response.writeHead(404).end();
          return;
        }
        response
          .writeHead(200, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(json),
          })
          .end(json);
      },
      () => response.writeHead(503).end(),
    );
  });
  server.listen(Number(process.env.PORT ?? 3101), process.env.HOST ?? '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    void redis.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `redis-get reference failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
