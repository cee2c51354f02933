import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { contentTypeFor } from '../../../handlers/lib/content-type.js';
import type { BundleManifest } from '../../../handlers/pipeline/bundle/validate-bundle.js';
import { compressCached, compressionFor, MAX_COMPRESSED_BYTES } from '../edge/compression.js';
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

  /**
   * File bodies by path: the platform serves the bundle it started with (its manifest and server
   * function are loaded once too), so each file is read, and compressed per encoding, once.
   */
  const bodies = new Map<string, Buffer>();

  async function file(relative: string, cacheControl: string, acceptEncoding: string | null): Promise<Response | undefined> {
    const full = resolve(bundleDir, relative);
    if (!full.startsWith(resolve(bundleDir) + sep)) return undefined;
    let body = bodies.get(full);
    if (!body) {
      try {
        body = await readFile(full);
      } catch {
        return undefined;
      }
      bodies.set(full, body);
    }
    const headers: Record<string, string> = { 'content-type': contentTypeFor(full), 'cache-control': cacheControl };
    // Compressed like the tenant edge and CloudFront serve files: the first load's JavaScript budget counts these bytes.
    const encoding = body.length <= MAX_COMPRESSED_BYTES ? compressionFor(acceptEncoding ?? undefined, full) : undefined;
    if (!encoding) return new Response(responseBody(body), { headers });
    const compressed = await compressCached(body, encoding);
    return new Response(responseBody(compressed), { headers: { ...headers, 'content-encoding': encoding, vary: 'Accept-Encoding' } });
  }

  return async (request) => {
    const { pathname } = new URL(request.url);
    const acceptEncoding = request.headers.get('accept-encoding');
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (pathname.startsWith(`${appPrefix}immutable/`)) {
        const found = await file(join('client', decodeURIComponent(pathname)), 'public, max-age=31536000, immutable', acceptEncoding);
        if (found) return found;
      }
      const prerendered = manifest.prerendered[pathname] ?? manifest.static[pathname];
      if (prerendered) {
        const found = await file(prerendered, 'no-cache', acceptEncoding);
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

/** fs and zlib hand out Buffers over plain (never shared) memory, which is what a Response body takes. */
function responseBody(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return buffer as Uint8Array<ArrayBuffer>;
}
