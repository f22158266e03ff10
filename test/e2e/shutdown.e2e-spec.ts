import { connect, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ChaosEnvironment, startChaosEnvironment } from '../chaos/harness/environment';

/**
 * SIGTERM while a client holds an idle keep-alive connection it never closes itself (a raw
 * socket: no client-side idle timeout). The server must close that connection and the process
 * exit, rather than wait for the connection's keep-alive timeout.
 */

/** The server's keep-alive timeout (`src/app.factory.ts`): what a close would wait for without the sweep. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/** "Within a few seconds of the last answer": a twelfth of the keep-alive timeout it must not wait for. */
const EXIT_WITHIN_MS = KEEP_ALIVE_TIMEOUT_MS / 12;

/** One HTTP/1.1 keep-alive request on `socket`; resolves with the status once the whole body is read. */
function requestOn(socket: Socket, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const headEnd = received.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = received.subarray(0, headEnd).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(length)) {
        socket.off('data', onData);
        reject(new Error(`no content-length in ${head}`));
        return;
      }
      if (received.length < headEnd + 4 + length) return;
      socket.off('data', onData);
      resolve(Number(head.split(' ')[1]));
    };
    socket.on('data', onData);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('SIGTERM with an idle keep-alive connection', () => {
  let env: ChaosEnvironment;

  beforeAll(async () => {
    env = await startChaosEnvironment();
  }, 180_000);
  afterAll(async () => env?.close(), 60_000);

  it('closes the connection and exits 0 within a few seconds of the last answer', async () => {
    const api = await env.startApi();
    const socket = connect(api.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const closedByServer = new Promise<string>((resolve) => {
      socket.once('end', () => resolve('end'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    // Two answers on the one connection: it is kept alive, and idle after the second.
    expect(await requestOn(socket, '/api/health')).toBe(200);
    expect(await requestOn(socket, '/api/health/ready')).toBe(200);
    const lastAnswer = performance.now();

    api.child.kill('SIGTERM');
    const exit = await Promise.race([
      api.exited,
      new Promise<'still running'>((resolve) =>
        setTimeout(() => resolve('still running'), EXIT_WITHIN_MS).unref(),
      ),
    ]);
    const exitedAfter = performance.now() - lastAnswer;
    process.stdout.write(`exited ${exitedAfter.toFixed(0)} ms after the last answer\n`);
    expect(exit).toEqual({ code: 0, signal: null });
    // Closed in order (FIN), not reset, and nothing more was sent on it.
    expect(await closedByServer).toBe('end');
    expect(socket.readableEnded).toBe(true);
    socket.destroy();
  }, 120_000);
});
