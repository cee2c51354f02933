import { FileRouteCache } from '../../../handlers/lib/bindings/route-cache/file.js';
import type { RouteCache } from '../../../handlers/lib/bindings/types.js';

/**
 * The local RouteCache for the test harnesses: the file store in the folder SLIPWAY_ROUTE_CACHE_DIR
 * names, looked up at each call, because a harness sets that folder after the binding is made.
 * One store per folder, so writes from this process stay serialized.
 */
export function localRouteCache(env: NodeJS.ProcessEnv = process.env): RouteCache {
  const stores = new Map<string, FileRouteCache>();
  const store = (): FileRouteCache => {
    const dir = env.SLIPWAY_ROUTE_CACHE_DIR;
    if (!dir) throw new Error('no route cache is configured (SLIPWAY_ROUTE_CACHE_DIR)');
    let found = stores.get(dir);
    if (!found) {
      found = new FileRouteCache(dir);
      stores.set(dir, found);
    }
    return found;
  };
  return {
    get: async (key) => store().get(key),
    putMany: async (entries) => store().putMany(entries),
    deleteMany: async (keys) => store().deleteMany(keys),
  };
}
