import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { contentTypeFor } from '../../../handlers/lib/content-type.js';
import type { BundleManifest } from '../../../handlers/pipeline/bundle/validate-bundle.js';
import { functionUrlEvent, responseFromResult } from './lambda-event.js';

type DashboardHandler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Serves the built dashboard (`dist/dashboard`, the adapter's bundle) the way the dashboard
 * distribution does on AWS: `_app/` files and the manifest's prerendered and static paths from
 * disk, everything else through the bundle's server function. The dashboard is platform code, so
 * it runs in the platform's process, not in a tenant sandbox.
 */
export function createDashboardApp(bundleDir: string): (request: Request) => Promise<Response> {
  const manifestFile = join(bundleDir, 'slipway-manifest.json');
  if (!existsSync(manifestFile)) {
    return async () =>
      new Response('The dashboard is not built: run `npm run build` in the Slipway checkout, then start the platform again.\n', {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BundleManifest;
  const appPrefix = `/${manifest.appDir}/`;
  let handler: Promise<DashboardHandler> | undefined;

  async function file(relative: string, cacheControl: string): Promise<Response | undefined> {
    const full = resolve(bundleDir, relative);
    if (!full.startsWith(resolve(bundleDir) + sep)) return undefined;
    try {
      const body = await readFile(full);
      return new Response(body, { headers: { 'content-type': contentTypeFor(full), 'cache-control': cacheControl } });
    } catch {
      return undefined;
    }
  }

  return async (request) => {
    const { pathname } = new URL(request.url);
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (pathname.startsWith(`${appPrefix}immutable/`)) {
        const found = await file(join('client', decodeURIComponent(pathname)), 'public, max-age=31536000, immutable');
        if (found) return found;
      }
      const prerendered = manifest.prerendered[pathname] ?? manifest.static[pathname];
      if (prerendered) {
        const found = await file(prerendered, 'no-cache');
        if (found) return found;
      }
    }
    handler ??= import(pathToFileURL(join(bundleDir, manifest.handler)).href).then(
      (module: { handler: DashboardHandler }) => module.handler,
    );
    const event = await functionUrlEvent(request, '127.0.0.1');
    return responseFromResult(await (await handler)(event, {}));
  };
}
