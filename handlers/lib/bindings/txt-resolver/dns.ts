import { Resolver } from 'node:dns/promises';
import type { TxtResolver } from '../types.js';

/** Where and how patiently to ask; unset, the system's resolvers (/etc/resolv.conf). */
export interface DnsTxtResolverConfig {
  /** Resolver addresses (`ip` or `ip:port`), tried in order. */
  servers?: string[];
  /** Per try, in milliseconds (default 2000). */
  timeoutMs?: number;
  /** Tries per server (default 2). */
  tries?: number;
}

/** Answers that mean "no such record", as opposed to a resolver that failed to answer. */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA']);

/** TXT lookups through node:dns, on both back ends: a Lambda and the local platform ask the same way. */
export function dnsTxtResolver(config: DnsTxtResolverConfig = {}): TxtResolver {
  const resolver = new Resolver({ timeout: config.timeoutMs ?? 2000, tries: config.tries ?? 2 });
  if (config.servers?.length) resolver.setServers(config.servers);
  return {
    async resolveTxt(name) {
      try {
        return (await resolver.resolveTxt(name)).map((parts) => parts.join(''));
      } catch (error) {
        if (NO_RECORD.has((error as NodeJS.ErrnoException).code ?? '')) return [];
        throw error;
      }
    },
  };
}
