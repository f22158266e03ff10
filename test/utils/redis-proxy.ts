import { BASE_REDIS_URL } from './services';
import { startTcpProxy, throughProxy } from './tcp-proxy';

/**
 * A TCP proxy in front of the test Redis that a test can cut, to see what the code does while
 * Redis is unreachable, without stopping the Redis other test files share.
 */
export interface RedisProxy {
  /** Redis URL through the proxy. */
  url: string;
  /** Drops every connection and refuses new ones. */
  cut(): void;
  /** Accepts connections again, or forwards again after `hang`. */
  restore(): void;
  /** A silent partition: connections stay open but nothing is forwarded (see `TcpProxy.hang`). */
  hang(): void;
  close(): Promise<void>;
}

export async function startRedisProxy(target = BASE_REDIS_URL): Promise<RedisProxy> {
  const upstream = new URL(target);
  const proxy = await startTcpProxy(upstream.hostname, Number(upstream.port || 6379));
  return {
    url: throughProxy(target, proxy),
    cut: () => proxy.cut(),
    restore: () => proxy.restore(),
    hang: () => proxy.hang(),
    close: () => proxy.close(),
  };
}
