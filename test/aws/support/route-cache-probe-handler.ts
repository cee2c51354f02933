import { routeCache } from '../../../handlers/lib/bindings/bound.js';

/** A Lambda handler that answers whether a RouteCache is bound, or why not. */
export async function handler(): Promise<string> {
  try {
    return typeof routeCache().putMany === 'function' ? 'bound' : 'not a RouteCache';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}
