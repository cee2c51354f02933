import { KvsRouteCache } from '../../../handlers/lib/bindings/route-cache/kvs.js';
import type { RouteCache } from '../../../handlers/lib/bindings/types.js';

/** The AWS RouteCache: the CloudFront KeyValueStore whose ARN CDK sets in the function's environment. */
export function awsRouteCache(env: NodeJS.ProcessEnv = process.env): RouteCache {
  const kvsArn = env.SLIPWAY_ROUTE_CACHE_KVS_ARN;
  if (!kvsArn) throw new Error('no route cache is configured (SLIPWAY_ROUTE_CACHE_KVS_ARN)');
  return new KvsRouteCache(kvsArn);
}
