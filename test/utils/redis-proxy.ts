import { AddressInfo, createServer, Socket, connect } from 'node:net';
import { BASE_REDIS_URL } from './services';

/**
 * A TCP proxy in front of the test Redis that a test can cut, to see what the code does while
 * Redis is unreachable, without stopping the Redis other test files share.
 */
export interface RedisProxy {
  /** Redis URL through the proxy. */
  url: string;
  /** Drops every connection and refuses new ones. */
  cut(): void;
  /** Accepts connections again. */
  restore(): void;
  close(): Promise<void>;
}

export async function startRedisProxy(target = BASE_REDIS_URL): Promise<RedisProxy> {
  const upstreamUrl = new URL(target);
  const sockets = new Set<Socket>();
  let down = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(upstreamUrl.port || 6379), upstreamUrl.hostname);
    track(client);
    track(upstream);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ]) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    close() {
      down = true;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
