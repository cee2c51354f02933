import { SecretNotConfigured, type RouteCache, type SecretName, type SecretSource } from './types.js';

/**
 * The bindings the entry point chose, set once before the first request: by the Lambda bundle's
 * entry (infra/aws/runtime) on AWS, by the platform or the test set-up (infra/local) locally.
 */
let secrets: SecretSource | undefined;
let routes: RouteCache | undefined;

export function bindSecretSource(source: SecretSource): void {
  secrets = source;
}

export function secretSource(): SecretSource {
  if (!secrets) throw new Error('no SecretSource is bound: the entry point must call bindSecretSource first');
  return secrets;
}

export function bindRouteCache(cache: RouteCache): void {
  routes = cache;
}

export function routeCache(): RouteCache {
  if (!routes) throw new Error('no RouteCache is bound: the entry point must call bindRouteCache first');
  return routes;
}

/** The named secret from the bound source; `whenMissing` makes the error when nothing configures it. */
export async function readSecret(name: SecretName, whenMissing: () => Error): Promise<string> {
  try {
    return await secretSource().read(name);
  } catch (error) {
    if (error instanceof SecretNotConfigured) throw whenMissing();
    throw error;
  }
}
