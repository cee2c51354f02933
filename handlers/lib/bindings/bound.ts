import { bindPlatform, bound } from './platform.js';
import {
  SecretNotConfigured,
  type CustomDomainCertificates,
  type ProjectStacks,
  type RouteCache,
  type SecretName,
  type SecretSource,
  type TxtResolver,
} from './types.js';

/**
 * The secret source and the route cache of the platform the caller runs in: bound into a Lambda's
 * process by its bundle's entry (infra/aws/runtime), part of each platform locally (infra/local).
 */
export function bindSecretSource(source: SecretSource): void {
  bindPlatform({ secrets: source });
}

export function secretSource(): SecretSource {
  return bound('secrets', 'no SecretSource is bound: the entry point must call bindSecretSource first');
}

export function bindRouteCache(cache: RouteCache): void {
  bindPlatform({ routeCache: cache });
}

export function routeCache(): RouteCache {
  return bound('routeCache', 'no RouteCache is bound: the entry point must call bindRouteCache first');
}

export function bindProjectStacks(stacks: ProjectStacks): void {
  bindPlatform({ projectStacks: stacks });
}

export function projectStacks(): ProjectStacks {
  return bound('projectStacks', 'no ProjectStacks is bound: the entry point must call bindProjectStacks first');
}

export function txtResolver(): TxtResolver {
  return bound('txtResolver', 'no TxtResolver is bound: the platform must bind one (infra/aws or infra/local)');
}

export function bindCustomDomainCertificates(certificates: CustomDomainCertificates): void {
  bindPlatform({ customDomainCertificates: certificates });
}

export function customDomainCertificates(): CustomDomainCertificates {
  return bound(
    'customDomainCertificates',
    'no CustomDomainCertificates is bound: the entry point must call bindCustomDomainCertificates first',
  );
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
