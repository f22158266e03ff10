import proxyAddr from '@fastify/proxy-addr';
import { IncomingMessage } from 'node:http';
import { TrustProxy } from '../../config/app-config';

/** Whether the peer at `hop` (0: the socket's peer) is a proxy whose `X-Forwarded-For` we believe. */
export type TrustFunction = (address: string, hop: number) => boolean;

/**
 * `TRUST_PROXY` as one function, handed to Fastify (`trustProxy`) and used by the cache-hit path,
 * so `request.ip` and the hit path's client address are the same computation: a hop count
 * believes the nearest N peers, a list believes only those addresses and CIDRs (the client's
 * own `X-Forwarded-For` entries are then never taken for a proxy's).
 */
export function trustFunctionOf(trust: TrustProxy): TrustFunction | false {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile([...trust]);
}

/** The client address of a raw request, exactly as Fastify's `request.ip` computes it. */
export function clientAddressOf(
  trust: TrustFunction | false,
): (request: IncomingMessage) => string | undefined {
  if (trust === false) return (request) => request.socket.remoteAddress;
  return (request) => {
    const addresses = proxyAddr.all(request, trust);
    return addresses[addresses.length - 1];
  };
}
