import { describe, expect, it } from 'vitest';
import { liveKey, routeEntriesFor } from '../../handlers/lib/route-cache-keys.js';
import { validateBundle } from '../../handlers/pipeline/bundle/validate-bundle.js';
import { loadEdgeFunctions, makeEvent } from '../../infra/local/edge/cloudfront-functions.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';

/**
 * The paths the edge now maps by itself (a base path's `{base}/_app/...`, an adapter-static
 * fallback page) must not become a way out of the deployment's own files.
 */
const entries: Record<string, string> = {
  [liveKey('based')]: 'd-1',
  ...routeEntriesFor('d-1', { prerendered: {}, static: {}, basePath: '/base', appDir: '_app' }),
  [liveKey('victim')]: 'd-2',
};
const edge = loadEdgeFunctions((key) => entries[key]);

describe('edge path escapes', () => {
  it('a visitor cannot climb out of {base}/_app/ into the server bundle or another deployment with dot segments', async () => {
    for (const uri of [
      '/base/_app/../server/handler.js',
      '/base/_app/%2e%2e/server/handler.js',
      '/base/_app/%2E%2E/%2E%2E/%2E%2E/victim/deployments/d-2/server/handler.js',
      '/base/_app/immutable/../../slipway-manifest.json',
      '/base/_app/./../server/handler.js',
    ]) {
      const result = await edge(makeEvent({ uri, host: 'based.localhost' }));
      // Not rewritten to a bucket key: it goes, unchanged, to the tenant's own server.
      expect(result.kind, uri).toBe('request');
      if (result.kind === 'request') {
        expect(result.request.uri, uri).toBe(uri);
        expect(result.request.headers['x-slipway-origin']?.value, uri).toBe('router');
      }
    }
  });

  it('a build cannot name a server file as its fallback page to publish its server code', async () => {
    const archive = tarFixture(validBundleEntries({ manifest: { fallback: { file: 'server/handler.js', status: 200 } } }));
    await expect(validateBundle(archive)).rejects.toThrow('field fallback.file is invalid');
  });
});
