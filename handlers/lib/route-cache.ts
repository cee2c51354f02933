import { join } from 'node:path';
import { FileRouteCache } from '../../router/route-cache/file-route-cache.js';
import type { RouteCache } from '../../router/route-cache/route-cache.js';

export { domainKey, liveKey, previewKey, pointerValue, parsePointer, routeKey, routeEntriesFor } from './route-cache-keys.js';

let cache: RouteCache | undefined;

/**
 * The route cache binding. On AWS (SLIPWAY_ROUTE_CACHE_KVS_ARN set) the CloudFront KeyValueStore
 * the distribution's functions read; locally a file store under SLIPWAY_ROUTE_CACHE_DIR that the
 * edge reads.
 */
export function routeCache(): RouteCache {
  if (cache) return cache;
  const kvsArn = process.env.SLIPWAY_ROUTE_CACHE_KVS_ARN;
  if (kvsArn) {
    cache = new LazyKvsRouteCache(kvsArn);
    return cache;
  }
  const dir = process.env.SLIPWAY_ROUTE_CACHE_DIR;
  if (!dir) throw new Error('no route cache is configured (SLIPWAY_ROUTE_CACHE_DIR)');
  cache = new FileRouteCache(join(dir));
  return cache;
}

/** Loads the KVS client (and its SigV4A signer) on first use: the local back end never needs them. */
class LazyKvsRouteCache implements RouteCache {
  private loaded: Promise<RouteCache> | undefined;

  constructor(private readonly kvsArn: string) {}

  private load(): Promise<RouteCache> {
    this.loaded ??= import('../../router/route-cache/kvs-route-cache.js').then(({ KvsRouteCache }) => new KvsRouteCache(this.kvsArn));
    return this.loaded;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.load()).get(key);
  }

  async putMany(entries: Record<string, string>): Promise<void> {
    return (await this.load()).putMany(entries);
  }

  async deleteMany(keys: string[]): Promise<void> {
    return (await this.load()).deleteMany(keys);
  }
}
