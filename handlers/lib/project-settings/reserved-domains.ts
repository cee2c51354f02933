import { isIP } from 'node:net';
import { currentPlatform } from '../bindings/platform.js';

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
};

/**
 * The platform's own domains, which no project may claim, nor any name under them: `localhost`
 * always, the tenants' parent domain (from the tenant URL template: `domainName` on AWS,
 * `localhost` locally) where every project and preview has its host, and the dashboard's host.
 */
export function platformDomains(): string[] {
  const platform = currentPlatform();
  const domains = new Set(['localhost']);
  const tenantHost = platform.tenantUrlTemplate ? hostOf(platform.tenantUrlTemplate.replace('{project}', 'project')) : undefined;
  if (tenantHost?.startsWith('project.')) domains.add(tenantHost.slice('project.'.length));
  const dashboardHost = platform.publicUrl ? hostOf(platform.publicUrl) : undefined;
  if (dashboardHost && !isIP(dashboardHost.replace(/^\[|\]$/g, ''))) domains.add(dashboardHost);
  return [...domains];
}

/** Why a well-formed host name cannot be a custom domain, or undefined when it can. */
export function reservedDomainProblem(domain: string): string | undefined {
  if (isIP(domain)) return 'must be a host name, not an IP address';
  const own = platformDomains().find((reserved) => domain === reserved || domain.endsWith(`.${reserved}`));
  return own ? `${domain} belongs to the platform: ${own} and every name under it cannot be claimed` : undefined;
}
