import { currentPlatform } from './bindings/platform.js';

/**
 * A project's public URL, from the platform's template: `http://{project}.localhost:8080/`
 * locally, `https://{project}.<domainName>/` on AWS. Absent when no tenant domain is configured.
 */
export function tenantUrl(project: string): string | undefined {
  const template = currentPlatform().tenantUrlTemplate;
  return template ? template.replace('{project}', project) : undefined;
}
