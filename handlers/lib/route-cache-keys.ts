/** Keys of the route cache (CloudFront KeyValueStore on AWS): see docs/ARCHITECTURE.md. */
export function liveKey(project: string): string {
  return `p:${project}`;
}

/**
 * A preview's pointer: `p:{project}--{alias}`, the same shape as the live pointer of the host
 * label `<project>--<alias>`, so the edge looks up `p:{label}` whichever host it serves.
 */
export function previewKey(project: string, alias: string): string {
  return `p:${project}--${alias}`;
}

/**
 * A pointer's value: the deployment id, and for a preview the function qualifier (version) the
 * router invokes, `{deploymentId}@{qualifier}`. The live pointer has none: the router invokes the
 * `live` alias, which the project stack moves.
 */
export function pointerValue(deploymentId: string, qualifier?: string): string {
  return qualifier ? `${deploymentId}@${qualifier}` : deploymentId;
}

export function parsePointer(value: string): { deploymentId: string; qualifier?: string } {
  const at = value.indexOf('@');
  return at === -1 ? { deploymentId: value } : { deploymentId: value.slice(0, at), qualifier: value.slice(at + 1) };
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
