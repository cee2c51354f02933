import { createHash } from 'node:crypto';

/** CreateDistributionTenant's Name: `[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]`, unique in the account. */
const TENANT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]$/;

/**
 * The tenant's name for `domain`: the prefix and the domain itself where that fits the API's
 * pattern (readable in the console), else the prefix and a digest of the domain. The same domain
 * always gets the same name, which is how `add` and `remove` find it without storing its id.
 */
export function tenantName(namePrefix: string, domain: string): string {
  const readable = `${namePrefix}-${domain}`;
  if (TENANT_NAME.test(readable)) return readable;
  return `${namePrefix}-${createHash('sha256').update(domain).digest('hex').slice(0, 40)}`;
}
