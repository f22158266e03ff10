import { AddressInfo, connect, createServer, Socket } from 'node:net';

/**
 * A TCP proxy a test can cut, to see what the code does while a server (Redis, PostgreSQL) is
 * unreachable, without stopping the server other test files share.
 */
export interface TcpProxy {
  /** The proxy's own port on 127.0.0.1. */
  port: number;
  /** Drops every connection and refuses new ones. */
  cut(): void;
  /** Accepts connections again (after `cut`), or forwards what `hang` held back (after `hang`). */
  restore(): void;
  /**
   * A silent partition: connections stay open and new ones are accepted, but nothing is
   * forwarded either way (no FIN, no RST) until `restore`, which delivers what was held back.
   */
  hang(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let hung = false;
  const held: [Socket, Buffer][] = [];
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    track(client);
    track(upstream);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ]) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
      a.on('data', (chunk: Buffer) => {
        if (hung) held.push([b, chunk]);
        else b.write(chunk);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dropAll = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    cut() {
      down = true;
      dropAll();
    },
    restore() {
      down = false;
      hung = false;
      for (const [socket, chunk] of held.splice(0)) if (!socket.destroyed) socket.write(chunk);
    },
    hang() {
      hung = true;
    },
    close() {
      down = true;
      dropAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `url` with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}
