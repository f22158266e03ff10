import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL channel an outbox insert notifies, at its commit. */
export const OUTBOX_CHANNEL = 'fkapi_cache_outbox';

/**
 * This process's name in the notifications it sends: its own rows are its after-commit
 * invalidation's to apply, so its drainer does not race it for them.
 */
export const THIS_INSTANCE = randomUUID();

const RECONNECT_DELAY_MS = 1000;

/**
 * `LISTEN` on a connection of its own (not one of the pool's): wakes the drainer as soon as
 * another instance commits an outbox row, instead of at its next poll. Reconnects after a
 * failure; the poll stays as the fallback while it is down.
 */
export class OutboxListener {
  private readonly logger = new Logger('CacheOutbox');
  private client: Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly onRowFromAnotherInstance: () => void,
  ) {}

  start(): void {
    if (this.closed) return;
    const client = new Client({ connectionString: this.connectionString, keepAlive: true });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL && message.payload !== THIS_INSTANCE)
        this.onRowFromAnotherInstance();
    });
    client.on('error', () => this.restart(client));
    client.on('end', () => this.restart(client));
    client
      .connect()
      .then(() => client.query(`LISTEN ${OUTBOX_CHANNEL}`))
      .catch((error: unknown) => {
        this.logger.debug(`outbox LISTEN failed, retrying: ${String(error)}`);
        this.restart(client);
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
  }

  private restart(client: Client): void {
    if (this.closed || this.client !== client || this.retryTimer) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.start();
    }, RECONNECT_DELAY_MS);
    this.retryTimer.unref();
  }
}
