import { createClient } from 'redis';

/** Where the keys of a command are, by command name (upper case). */
const ALL_ARGUMENTS = new Set(['DEL', 'UNLINK', 'EXISTS', 'MGET', 'TOUCH', 'WATCH']);
const NUMKEYS_FIRST = new Set(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']);
const NO_KEYS = new Set([
  'PING',
  'INFO',
  'SCRIPT',
  'SELECT',
  'CLIENT',
  'HELLO',
  'AUTH',
  'PUBLISH',
  'SPUBLISH',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'PSUBSCRIBE',
  'PUNSUBSCRIBE',
  'DBSIZE',
  'TIME',
  'MULTI',
  'EXEC',
  'DISCARD',
  'COMMAND',
  'ECHO',
  'RESET',
  'QUIT',
  'SCAN',
]);
/** Commands whose first argument is their only key. */
const FIRST_ARGUMENT = new Set([
  'GET', 'SET', 'SETEX', 'PSETEX', 'SETNX', 'GETDEL', 'GETEX', 'INCR', 'INCRBY', 'DECR', 'DECRBY',
  'EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT', 'PERSIST', 'TTL', 'PTTL', 'TYPE', 'STRLEN',
  'HGET', 'HSET', 'HDEL', 'HGETALL', 'HMGET', 'HINCRBY', 'HLEN', 'HEXISTS', 'HSCAN',
  'SADD', 'SREM', 'SMEMBERS', 'SISMEMBER', 'SMISMEMBER', 'SCARD', 'SSCAN',
  'ZADD', 'ZREM', 'ZRANGE', 'ZRANGEBYSCORE', 'ZREVRANGE', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYRANK',
  'ZCARD', 'ZSCORE', 'ZMSCORE', 'ZCOUNT', 'ZINCRBY', 'ZSCAN',
  'LPUSH', 'RPUSH', 'LRANGE', 'LTRIM', 'LLEN', 'LPOP', 'RPOP',
]); // prettier-ignore

export interface RedisKeyAudit {
  /** Commands seen, by name. */
  commands: Map<string, number>;
  /** Key arguments outside the namespace, with the command that carried them. */
  outside: string[];
  /** Commands this audit cannot place keys in (the test then fails rather than guess). */
  unknown: Set<string>;
  stop(): Promise<void>;
}

/** The keys a monitored command names, or undefined when its key positions are unknown here. */
function keysOf(name: string, args: string[]): string[] | undefined {
  if (NO_KEYS.has(name)) return [];
  if (ALL_ARGUMENTS.has(name)) return args;
  if (FIRST_ARGUMENT.has(name)) return args.slice(0, 1);
  if (name === 'MSET') return args.filter((_, i) => i % 2 === 0);
  if (NUMKEYS_FIRST.has(name)) return args.slice(2, 2 + Number(args[1]));
  return undefined;
}

/**
 * Watches every command a Redis server executes (MONITOR: the application's and those its Lua
 * scripts run) and records each key outside `namespace`. Use on a server of the test's own.
 */
export async function auditRedisKeys(url: string, namespace: string): Promise<RedisKeyAudit> {
  const client = createClient({ url });
  await client.connect();
  const audit: RedisKeyAudit = {
    commands: new Map(),
    outside: [],
    unknown: new Set(),
    stop: async () => {
      await client.close();
    },
  };
  await client.monitor((line: string) => {
    // 1700000000.123456 [0 127.0.0.1:5555] "SET" "fkapi:club_1" "…"   ([0 lua] inside scripts)
    const parts = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(([, part]) => part);
    if (parts.length === 0) return;
    const name = parts[0].toUpperCase();
    audit.commands.set(name, (audit.commands.get(name) ?? 0) + 1);
    const keys = keysOf(name, parts.slice(1));
    if (keys === undefined) audit.unknown.add(name);
    else for (const key of keys) if (!key.startsWith(namespace)) audit.outside.push(`${name} ${key}`);
  });
  return audit;
}

/** A command a Redis server executed, as MONITOR reported it. */
export interface MonitoredCommand {
  /** The server's clock when it ran the command, in Unix milliseconds (µs precision). */
  atMs: number;
  /** The command and its arguments. */
  parts: string[];
  line: string;
}

export interface RedisCommandLog {
  commands: MonitoredCommand[];
  /**
   * Sends an ECHO of `label` and resolves with its index in `commands` once MONITOR reported it:
   * Redis runs commands one at a time, so every command before it in the log ran before it, and
   * everything run before the call is in the log by then (no clocks compared).
   */
  mark(label: string): Promise<number>;
  stop(): Promise<void>;
}

/** Records every command a Redis server of the test's own executes (MONITOR), Lua's included. */
export async function recordRedisCommands(url: string): Promise<RedisCommandLog> {
  const client = createClient({ url });
  const marker = createClient({ url });
  for (const c of [client, marker]) {
    c.on('error', () => undefined);
    await c.connect();
  }
  const log: RedisCommandLog = {
    commands: [],
    async mark(label) {
      await marker.echo(label);
      for (let attempt = 0; attempt < 500; attempt++) {
        const index = log.commands.findIndex((c) => c.parts[0] === 'ECHO' && c.parts[1] === label);
        if (index >= 0) return index;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`MONITOR did not report the ECHO "${label}" within 5 s`);
    },
    stop: async () => {
      for (const c of [client, marker]) if (c.isOpen) await c.close().catch(() => c.destroy());
    },
  };
  await client.monitor((line: string) => {
    const parts = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(([, part]) => part);
    log.commands.push({ atMs: Number(line.slice(0, line.indexOf(' '))) * 1000, parts, line });
  });
  return log;
}
