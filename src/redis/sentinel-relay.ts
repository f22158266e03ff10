// Redis under Sentinel: a loopback relay the ordinary client connects to, forwarding to whichever
// server the sentinels name as master, and cutting every connection when the master changes.
import { Logger } from '@nestjs/common';
import { AddressInfo, createServer, Server, Socket, connect as connectTcp } from 'node:net';
import { createClient } from 'redis';
import { RedisSentinelConfig, SentinelAddress } from '../config/app-config';

export interface SentinelRelayOptions {
  /** Bounds every question to a sentinel and the connection to the master. */
  timeoutMs: number;
  /**
   * How often the sentinels are asked again, whatever the subscription said: a missed
   * `+switch-master` (the subscribed sentinel was down) is caught within this.
   */
  pollMs?: number;
}

interface Pair {
  client: Socket;
  master: Socket;
  target: string;
}

/**
 * Why a relay rather than node-redis's `createSentinel`: the latter's object is not a
 * `RedisClient` (leases, no `duplicate`, its own pub/sub proxy), and every user of `REDIS_CLIENT`
 * (the store, the L1's `duplicate()`d subscriber, the rate limiter, the replica watermark) would
 * have to change. The relay keeps the one ordinary client, its fail-fast options and its
 * reconnect loop: the client connects to `url` (127.0.0.1, an ephemeral port); each connection
 * is forwarded to the master the sentinels name now. When the master changes (`+switch-master`
 * from the subscribed sentinel, a poll, or a refused connection that made us ask again), every
 * forwarded connection is closed, so the client (and its duplicates) reconnect — to the new
 * master — and the cache store's recovery (the outbox drain) runs before reads resume, as after
 * any outage (`cache/redis-availability.ts`).
 */
export class SentinelRelay {
  private readonly logger = new Logger('RedisSentinel');
  private readonly server: Server = createServer((socket) => this.forward(socket));
  private readonly pairs = new Set<Pair>();
  private current: SentinelAddress | null = null;
  /** The config epoch of the view `current` came from: Sentinel raises it at each failover. */
  private epoch = -1;
  /** Index in `config.sentinels` of the sentinel the subscription tries first. */
  private preferred = 0;
  private subscriber: ReturnType<typeof createClient> | null = null;
  private pollTimer: NodeJS.Timeout | undefined;
  private resolving: Promise<void> | null = null;
  private stopped = false;
  private port = 0;
  /** Master changes seen since the start (the first resolution is not one). */
  switches = 0;

  constructor(
    private readonly config: RedisSentinelConfig,
    private readonly options: SentinelRelayOptions,
  ) {}

  /** Where the client connects: valid once `listen` resolved. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The master connections are forwarded to now (null until a sentinel answered). */
  get master(): SentinelAddress | null {
    return this.current;
  }

  /** Opens the loopback port (no sentinel asked yet: `start` does). */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /**
   * Asks the sentinels for the master (bounded: a start without any sentinel serves from
   * PostgreSQL and keeps asking), subscribes to `+switch-master` and starts the poll.
   */
  async start(): Promise<void> {
    await this.resolve();
    void this.subscribe();
    const poll = (): void => {
      this.pollTimer = setTimeout(() => {
        void this.resolve().finally(() => !this.stopped && poll());
      }, this.options.pollMs ?? 1000);
      this.pollTimer.unref();
    };
    poll();
  }

  /** Stops asking and closes every forwarded connection (after the client's QUIT). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber?.isOpen) subscriber.destroy();
    for (const pair of this.pairs) this.drop(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket): void {
    const target = this.current;
    if (!target || this.stopped) {
      // No master known (yet): the client's reconnect loop tries again; meanwhile we ask.
      client.destroy();
      void this.resolve();
      return;
    }
    const master = connectTcp({ host: target.host, port: target.port, noDelay: true });
    master.setTimeout(this.options.timeoutMs, () => {
      if (master.connecting) master.destroy(new Error('connect timeout'));
    });
    master.once('connect', () => master.setTimeout(0));
    const pair: Pair = { client, master, target: key(target) };
    this.pairs.add(pair);
    client.setNoDelay(true);
    client.pipe(master);
    master.pipe(client);
    const end = (): void => this.drop(pair);
    client.on('error', end);
    client.on('close', end);
    // A refused or dropped master may be the start of a failover: ask at once, not at the poll,
    // and another sentinel first (the last one may be cut off from the others, naming a master
    // they replaced).
    master.on('error', () => {
      this.preferred = (this.preferred + 1) % this.config.sentinels.length;
      void this.resolve();
      end();
    });
    master.on('close', end);
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.master.destroy();
  }

  /** Asks the sentinels (one question at a time) and switches when the answer changed. */
  private resolve(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.resolving ??= this.ask()
      .then((view) => {
        if (view) this.use(view);
      })
      .finally(() => (this.resolving = null));
    return this.resolving;
  }

  /**
   * Every sentinel's view, asked together; the one with the highest config epoch wins. During a
   * failover sentinels disagree for a while, and the epoch says which view is the newer: taking
   * the first answer made the relay switch back and forth between the old and the new master.
   */
  private async ask(): Promise<MasterView | null> {
    const views = await Promise.all(
      this.config.sentinels.map((sentinel) =>
        this.askOne(sentinel).catch((error: unknown) => {
          this.logger.debug(`Sentinel ${key(sentinel)} did not answer: ${String(error)}`);
          return null;
        }),
      ),
    );
    let newest: MasterView | null = null;
    for (const view of views) if (view && (!newest || view.epoch > newest.epoch)) newest = view;
    return newest;
  }

  /** One sentinel's view of the master (`SENTINEL MASTER`), null when it does not know it. */
  private async askOne(sentinel: SentinelAddress): Promise<MasterView | null> {
    const client = sentinelClient(sentinel, this.options.timeoutMs);
    client.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await Promise.race([
        client.connect().then(() => client.sendCommand(['SENTINEL', 'MASTER', this.config.masterName])),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), this.options.timeoutMs);
        }),
      ]);
      if (!Array.isArray(reply)) return null;
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < reply.length; i += 2) fields.set(String(reply[i]), String(reply[i + 1]));
      const host = fields.get('ip');
      const port = Number(fields.get('port'));
      if (!host || !Number.isInteger(port)) return null;
      return { address: { host, port }, epoch: Number(fields.get('config-epoch') ?? 0) };
    } finally {
      clearTimeout(timer);
      if (client.isOpen) client.destroy();
    }
  }

  /**
   * Forwards new connections to the view's master; closes those to another server. A view older
   * than the one in use (a sentinel that has not heard of the last failover yet) is ignored.
   */
  private use({ address, epoch }: MasterView): void {
    const previous = this.current;
    if (previous && (key(previous) === key(address) || epoch < this.epoch)) return;
    this.current = address;
    this.epoch = epoch;
    if (previous) {
      this.switches++;
      this.logger.warn(`Redis master changed from ${key(previous)} to ${key(address)}: reconnecting`);
    } else {
      this.logger.log(`Redis master ${this.config.masterName} is ${key(address)}`);
    }
    for (const pair of this.pairs) if (pair.target !== key(address)) this.drop(pair);
  }

  /**
   * `+switch-master` from one sentinel, the next one when it fails. The poll covers the gap
   * while no sentinel is subscribed.
   */
  private async subscribe(): Promise<void> {
    const count = this.config.sentinels.length;
    for (let i = 0; !this.stopped; i++) {
      const sentinel = this.config.sentinels[(this.preferred + i) % count];
      const client = sentinelClient(sentinel, this.options.timeoutMs);
      this.subscriber = client;
      const lost = new Promise<void>((resolve) => {
        client.on('error', () => resolve());
        client.on('end', () => resolve());
      });
      try {
        await client.connect();
        await client.subscribe('+switch-master', (message) => {
          // "<name> <old host> <old port> <new host> <new port>": asks every sentinel rather
          // than taking this one's word, so the newest epoch decides (`ask`).
          if (message.split(' ')[0] === this.config.masterName) void this.resolve();
        });
        await lost;
      } catch {
        // Tried again below, with the next sentinel.
      }
      if (client.isOpen) client.destroy();
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 1000).unref());
    }
  }
}

/** Where a sentinel says the master is, and the config epoch of that view. */
interface MasterView {
  address: SentinelAddress;
  epoch: number;
}

function key(address: SentinelAddress): string {
  return `${address.host}:${address.port}`;
}

/** A client for one sentinel: RESP2, no retries of its own (the relay moves to the next one). */
function sentinelClient(sentinel: SentinelAddress, timeoutMs: number): ReturnType<typeof createClient> {
  return createClient({
    socket: { host: sentinel.host, port: sentinel.port, connectTimeout: timeoutMs, reconnectStrategy: false },
    disableOfflineQueue: true,
  });
}
