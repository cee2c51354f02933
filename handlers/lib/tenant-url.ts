import { currentPlatform } from './bindings/platform.js';

/**
 * A project's public URL, from the platform's template: `http://{project}.localhost:8080/`
 * locally, `https://{project}.<domainName>/` on AWS. Absent when no tenant domain is configured.
 */
export function tenantUrl(project: string): string | undefined {
  const template = currentPlatform().tenantUrlTemplate;
  return template ? template.replace('{project}', project) : undefined;
}

/**
 * Where a site's root page answers: its URL with the app's `paths.base` appended, `/base/` (SvelteKit
 * redirects `/base` there whatever `trailingSlash` says).
 */
export function withBasePath(url: string | undefined, basePath: string | undefined): string | undefined {
  return url && basePath ? `${url.replace(/\/$/, '')}${basePath}/` : url;
}
