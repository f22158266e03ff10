import { performance } from 'node:perf_hooks';
import { AddressInfo, connect, createServer, Socket } from 'node:net';

/**
 * One query held by a {@link HoldProxy}: it reached the server at once (so the server answered it
 * from the data as it was then), but its answer waits in the proxy until `release`.
 */
export interface HeldQuery {
  /** When the client's query matching the pattern went through (performance.now()). */
  sent: Promise<number>;
  /** When the server's first answer bytes to it arrived and were held back. */
  answered: Promise<number>;
  /** Delivers what was held and lets that connection flow again. */
  release(): void;
}

/**
 * A TCP proxy (for PostgreSQL) that forwards everything, except that it can hold back the server's
 * answers on the one connection that sends the next query containing a given text: a single slow
 * read, while the instance's other connections (its outbox drain, other requests) are unaffected.
 */
export interface HoldProxy {
  port: number;
  /** Arms the proxy: the next client chunk containing `pattern` has its answers held. */
  holdNext(pattern: string): HeldQuery;
  close(): Promise<void>;
}

interface Armed {
  pattern: Buffer;
  onSent(at: number): void;
  onAnswered(at: number): void;
  connection?: { held: Buffer[]; holding: boolean; onAnswered(at: number): void; client: Socket };
}

export async function startHoldProxy(targetHost: string, targetPort: number): Promise<HoldProxy> {
  const sockets = new Set<Socket>();
  let armed: Armed | undefined;
  const server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    let holder: Armed['connection'] | undefined;
    client.on('data', (chunk: Buffer) => {
      if (armed && !armed.connection && chunk.includes(armed.pattern)) {
        holder = armed.connection = { held: [], holding: true, onAnswered: armed.onAnswered, client };
        armed.onSent(performance.now());
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (holder?.holding) {
        if (holder.held.length === 0) holder.onAnswered(performance.now());
        holder.held.push(chunk);
      } else client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    holdNext(pattern) {
      let onSent!: (at: number) => void;
      let onAnswered!: (at: number) => void;
      const sent = new Promise<number>((resolve) => (onSent = resolve));
      const answered = new Promise<number>((resolve) => (onAnswered = resolve));
      const current: Armed = { pattern: Buffer.from(pattern), onSent, onAnswered };
      armed = current;
      return {
        sent,
        answered,
        release() {
          const connection = current.connection;
          if (armed === current) armed = undefined;
          if (!connection) return;
          connection.holding = false;
          for (const chunk of connection.held.splice(0)) connection.client.write(chunk);
        },
      };
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
