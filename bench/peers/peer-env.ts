import { PeerOptions } from './peer.module';

export interface PeerEnv extends PeerOptions {
  port: number;
  host: string;
}

/** PORT, HOST (default 127.0.0.1), DATABASE_URL and REDIS_URL, as the runner passes them. */
export function readPeerEnv(cacheNamespace: string): PeerEnv {
  const { DATABASE_URL, REDIS_URL, PORT, HOST } = process.env;
  if (!DATABASE_URL || !REDIS_URL) throw new Error('DATABASE_URL and REDIS_URL are required');
  return {
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    cacheNamespace,
    port: Number(PORT ?? 3200),
    host: HOST ?? '127.0.0.1',
  };
}

export function exitOnStartFailure(name: string): (error: unknown) => never {
  return (error) => {
    process.stderr.write(
      `${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  };
}
