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
 * A pointer's value, live or preview: the deployment id and the function qualifier (version) the
 * router invokes, `{deploymentId}@{qualifier}` (locally the qualifier is the deployment id).
 */
export function pointerValue(deploymentId: string, qualifier: string): string {
  return `${deploymentId}@${qualifier}`;
}

/** A pointer written before production had a qualifier is a bare deployment id. */
export function parsePointer(value: string): { deploymentId: string; qualifier?: string } {
  const at = value.indexOf('@');
  return at === -1 ? { deploymentId: value } : { deploymentId: value.slice(0, at), qualifier: value.slice(at + 1) };
}

export function routeKey(deploymentId: string, path: string): string {
  return `r:${deploymentId}:${path}`;
}

/**
 * The extensionless names a static file also answers to, in the order adapter-node's file server
 * (sirv) tries them for a path P: `P`, `P/index`, `P.html`, `P/index.html`, `P.htm`, `P/index.htm`.
 * `/guide/index.html` answers `/guide/` and `/guide`; `/terms.html` answers `/terms`. A trailing
 * slash on any other static path is dropped by the viewer-request function itself.
 */
function staticAliases(route: string): Array<{ path: string; rank: number }> {
  const aliases: Array<{ path: string; rank: number }> = [];
  const suffixes: Array<[string, number]> = [
    ['/index', 1],
    ['.html', 2],
    ['/index.html', 3],
    ['.htm', 4],
    ['/index.htm', 5],
  ];
  for (const [suffix, rank] of suffixes) {
    if (!route.endsWith(suffix)) continue;
    const path = route.slice(0, -suffix.length);
    if (suffix.startsWith('/')) aliases.push({ path: `${path}/`, rank });
    if (path !== '') aliases.push({ path, rank });
  }
  return aliases;
}

/**
 * Every prerendered page and static file of a deployment, keyed for the viewer-request function:
 * each route as the manifest names it, the static files' extensionless aliases (an exact file
 * wins, then sirv's order), and with a base path, `{base}/{appDir}/` → `client/{appDir}/` so the
 * function maps `/base/_app/...` (which no `/_app/*` behavior matches) to the build assets, and the
 * base itself (basePathKey) so the assets function refuses `/_app/...` without it.
 */
export function routeEntriesFor(
  deploymentId: string,
  manifest: {
    prerendered: Record<string, string>;
    static: Record<string, string>;
    basePath?: string;
    appDir?: string;
    fallback?: { file: string; status: number };
  },
): Record<string, string> {
  const entries: Record<string, string> = {};
  const aliasRank = new Map<string, number>();
  for (const [route, file] of Object.entries(manifest.static)) {
    for (const { path, rank } of staticAliases(route)) {
      if (path in manifest.static || (aliasRank.get(path) ?? Number.POSITIVE_INFINITY) <= rank) continue;
      aliasRank.set(path, rank);
      entries[routeKey(deploymentId, path)] = file;
    }
  }
  for (const [route, file] of Object.entries(manifest.static)) entries[routeKey(deploymentId, route)] = file;
  for (const [route, file] of Object.entries(manifest.prerendered)) entries[routeKey(deploymentId, route)] = file;
  if (manifest.basePath) {
    const appDir = manifest.appDir ?? '_app';
    entries[routeKey(deploymentId, `${manifest.basePath}/${appDir}/`)] = `client/${appDir}/`;
    entries[basePathKey(deploymentId)] = manifest.basePath;
  }
  // adapter-static's 200 fallback: the page unknown routes get. (A 404 fallback is left to the
  // server: a function cannot set the status of a file the bucket serves, and SvelteKit's own 404
  // of an SPA is the same shell.)
  if (manifest.fallback?.status === 200) entries[fallbackKey(deploymentId)] = manifest.fallback.file;
  return entries;
}

/**
 * The base path of a deployment built with `paths.base` (`base` is no path, so it never meets a
 * route): the assets function answers `/_app/...` outside the base as SvelteKit does, 404.
 */
export function basePathKey(deploymentId: string): string {
  return `r:${deploymentId}:base`;
}

/** The fallback page of a deployment (`*` is no path, so it never meets a route). */
export function fallbackKey(deploymentId: string): string {
  return `r:${deploymentId}:*`;
}

/** A custom domain's project (the viewer-request function looks it up before reading the host). */
export function domainKey(host: string): string {
  return `d:${host}`;
}
