import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

/** The line each CloudFront Function file holds, which the local edge runs as it is. */
export const PLATFORM_DOMAIN_LINE = "const PLATFORM_DOMAIN = 'localhost';";

/**
 * A CloudFront Function's code for this platform: the file in router/cloudfront/ with the tenants'
 * parent domain in place of `localhost`, so the function tells platform hosts (project labels) from
 * custom domains. Without a domain the file stays as it is: no host under `localhost` reaches a
 * distribution, so it serves verified custom domains only.
 */
export function edgeFunctionSource(file: 'viewer-request.js' | 'assets-request.js', platformDomain?: string): string {
  const source = readFileSync(join(packageRoot(), 'router', 'cloudfront', file), 'utf8');
  if (!source.includes(PLATFORM_DOMAIN_LINE)) throw new Error(`router/cloudfront/${file}: expected the line ${PLATFORM_DOMAIN_LINE}`);
  if (platformDomain === undefined) return source;
  if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(platformDomain))
    throw new Error(`domainName ${JSON.stringify(platformDomain)} is not a lowercase host name like "apps.example.com"`);
  return source.replace(PLATFORM_DOMAIN_LINE, `const PLATFORM_DOMAIN = ${JSON.stringify(platformDomain)};`);
}
