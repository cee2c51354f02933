/** Keys of the route cache (CloudFront KeyValueStore on AWS): see docs/ARCHITECTURE.md. */
export function liveKey(project: string): string {
  return `p:${project}`;
}

export function routeKey(deploymentId: string, path: string): string {
  return `r:${deploymentId}:${path}`;
}

/** Every prerendered page and static file of a deployment, keyed for the viewer-request function. */
export function routeEntriesFor(
  deploymentId: string,
  manifest: { prerendered: Record<string, string>; static: Record<string, string> },
): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const [route, file] of Object.entries(manifest.static)) entries[routeKey(deploymentId, route)] = file;
  for (const [route, file] of Object.entries(manifest.prerendered)) entries[routeKey(deploymentId, route)] = file;
  return entries;
}

/** A custom domain's project (the viewer-request function looks it up before reading the host). */
export function domainKey(host: string): string {
  return `d:${host}`;
}
