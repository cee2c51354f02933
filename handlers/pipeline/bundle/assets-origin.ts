import type { BundleManifest } from './validate-bundle.js';

/**
 * An app built with `paths.assets` names another origin in its pages for its build assets and
 * static files (SvelteKit bakes it into the HTML and the client). Slipway serves it as adapter-node
 * does: the deployment still answers those files under its own URL, and the origin is the user's to
 * fill (the files uploaded there, or a CDN in front of the deployment). Said in the build log, since
 * the pages look unstyled until it serves them.
 */
export function assetsOriginWarnings(manifest: BundleManifest): string[] {
  if (!manifest.assetsPath) return [];
  return [
    `paths.assets is ${manifest.assetsPath}: the pages load their build assets (${manifest.appDir}/) and static files from there. This deployment serves them too, under ${manifest.basePath || '/'}${manifest.basePath ? '/' : ''}${manifest.appDir}/ as adapter-node does; that origin must serve the same files (upload the build's client files there, or put it in front of this deployment)`,
  ];
}
