// Run before the test suite: fail at once, with one clear line, when PostgreSQL or Redis is not
// reachable, instead of letting every test time out.
import net from 'node:net';

function target(envName, fallback) {
  const url = new URL(process.env[envName] ?? fallback);
  return { name: envName, host: url.hostname || '127.0.0.1', port: Number(url.port) || (url.protocol.startsWith('redis') ? 6379 : 5432), url: url.toString() };
}

function probe({ host, port }) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

const services = [
  { label: 'PostgreSQL', ...target('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres') },
  { label: 'Redis', ...target('REDIS_URL', 'redis://127.0.0.1:6379') },
];
const down = [];
for (const service of services) if (!(await probe(service))) down.push(service);
if (down.length > 0) {
  for (const s of down) {
    console.error(`${s.label} is not reachable at ${s.host}:${s.port} (set ${s.name}, or start it: see README.md, "Tests").`);
  }
  process.exit(1);
}
