/**
 * A project's public URL, from the template the back end sets: `http://{project}.localhost:8080/`
 * locally, `https://{project}.<domainName>/` on AWS. Absent when no tenant domain is configured.
 */
export function tenantUrl(project: string): string | undefined {
  const template = process.env.SLIPWAY_TENANT_URL_TEMPLATE;
  return template ? template.replace('{project}', project) : undefined;
}
