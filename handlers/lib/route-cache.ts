import { join } from 'node:path';
import { FileRouteCache } from '../../router/route-cache/file-route-cache.js';
import type { RouteCache } from '../../router/route-cache/route-cache.js';

export { liveKey, routeKey, routeEntriesFor } from './route-cache-keys.js';

let cache: RouteCache | undefined;

/**
 * The route cache binding. Locally a file store under SLIPWAY_ROUTE_CACHE_DIR that the edge
 * reads; on AWS the CloudFront KeyValueStore (arrives with the AWS issue).
 */
export function routeCache(): RouteCache {
  if (cache) return cache;
  const dir = process.env.SLIPWAY_ROUTE_CACHE_DIR;
  if (!dir) throw new Error('no route cache is configured (SLIPWAY_ROUTE_CACHE_DIR)');
  cache = new FileRouteCache(join(dir));
  return cache;
}
