import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { domainKey, liveKey, pointerValue } from '../../handlers/lib/route-cache-keys.js';
import { edgeFunctionSource } from '../../infra/aws/projects/edge-function-source.js';
import { loadEdgeFunctions, makeEvent, type ViewerRequestResult } from '../../infra/local/edge/cloudfront-functions.js';
import { createReadyProject, deployOnce, startApiHarness, type ApiHarness } from '../api/support/api-harness.js';

/**
 * Attacks on custom domains, each refused:
 * - a user claims a host of the platform (`alice.<platform domain>`, the platform's or the
 *   dashboard's own name) to take over another project's or the dashboard's traffic;
 * - a `d:{host}` route-cache entry for a platform host (forged, or left by an old release) tries to
 *   take a project's host at the edge;
 * - a user claims someone else's domain without controlling its DNS.
 */
let harness: ApiHarness;
let functions: string;

beforeAll(async () => {
  harness = await startApiHarness();
  // As on AWS with domainName apps.example.com and the dashboard at console.example.com.
  harness.aws.platform.tenantUrlTemplate = 'https://{project}.apps.example.com/';
  harness.aws.platform.publicUrl = 'https://console.example.com';
  await createReadyProject(harness, 'alice');
  await createReadyProject(harness, 'mallory');
  functions = mkdtempSync(join(tmpdir(), 'slipway-edge-functions-'));
  for (const file of ['viewer-request.js', 'assets-request.js'] as const)
    writeFileSync(join(functions, file), edgeFunctionSource(file, 'apps.example.com'));
}, 120_000);

afterAll(async () => {
  await harness?.close();
  if (functions) rmSync(functions, { recursive: true, force: true });
});

const projectOf = (result: ViewerRequestResult) =>
  result.kind === 'request' ? result.request.headers['x-slipway-project']?.value : `response ${result.response.statusCode}`;

describe('custom domain hijacks', () => {
  it("refuses a claim of a platform host: another project's, a preview's, the platform's or the dashboard's name", async () => {
    for (const domain of [
      'alice.apps.example.com',
      'alice--feature.apps.example.com',
      'apps.example.com',
      'deep.alice.apps.example.com',
      'console.example.com',
      'api.console.example.com',
      'alice.localhost',
      '203.0.113.7',
    ]) {
      const answer = await harness.call('POST', '/projects/mallory/domains', { domain });
      expect(answer.status, domain).toBe(400);
      expect(answer.json.error, domain).toMatchObject({ code: 'BadRequest', field: 'body.domain' });
    }
    expect((await harness.call('GET', '/projects/mallory/domains')).json.domains).toEqual([]);
  });

  it("never lets a d:{host} entry take a project's host: the edge reads a platform host's label first", async () => {
    const entries: Record<string, string> = {
      [liveKey('alice')]: pointerValue('d-alice', '1'),
      [liveKey('mallory')]: pointerValue('d-mallory', '1'),
      // Forged entries naming mallory for alice's hosts, on AWS and locally.
      [domainKey('alice.apps.example.com')]: 'mallory',
      [domainKey('alice.localhost')]: 'mallory',
      [domainKey('shop.example.net')]: 'mallory',
    };
    const aws = loadEdgeFunctions((key) => entries[key], {
      viewerRequest: join(functions, 'viewer-request.js'),
      assetsRequest: join(functions, 'assets-request.js'),
    });
    const local = loadEdgeFunctions((key) => entries[key]);
    for (const uri of ['/api/x', '/_app/env.js', '/_app/immutable/a.js']) {
      const onAws = await aws(makeEvent({ uri, host: 'alice.apps.example.com' }));
      const onLocal = await local(makeEvent({ uri, host: 'alice.localhost:8080' }));
      for (const result of [onAws, onLocal]) {
        if (uri.startsWith('/_app/immutable/'))
          expect(result.kind === 'request' && result.request.uri).toBe('/alice/deployments/d-alice/client/_app/immutable/a.js');
        else expect(projectOf(result), uri).toBe('alice');
      }
    }
    // A host outside the platform domain is a custom domain: its entry decides (the release writes
    // it only for a verified domain), and with no entry it names nothing, whatever its first label.
    expect(projectOf(await aws(makeEvent({ uri: '/api/x', host: 'shop.example.net' })))).toBe('mallory');
    expect(projectOf(await aws(makeEvent({ uri: '/api/x', host: 'alice.example.org' })))).toBe('response 404');
  });

  it("never routes someone else's domain without its TXT record, and does not keep the owner from it", async () => {
    const squat = await harness.call('POST', '/projects/mallory/domains', { domain: 'www.alice-shop.example' });
    expect(squat.status).toBe(201);
    expect(squat.json.domain.status).toBe('PENDING');
    const cache = new FileRouteCache(join(harness.aws.dir, 'route-cache'));
    // The DNS is alice's: it holds her token only, added to her project.
    const owner = await harness.call('POST', '/projects/alice/domains', { domain: 'www.alice-shop.example' });
    expect(owner.status).toBe(201);
    const { name, value } = owner.json.domain.verification;
    harness.aws.platform.txtResolver = { resolveTxt: async (asked) => (asked === name ? [value] : []) };

    const refused = await harness.call('POST', '/projects/mallory/domains/www.alice-shop.example/verify');
    expect(refused.json.domain.status).toBe('PENDING');
    expect((await deployOnce(harness, 'mallory')).status).toBe('LIVE');
    expect(await cache.get(domainKey('www.alice-shop.example'))).toBeUndefined();

    expect((await harness.call('POST', '/projects/alice/domains/www.alice-shop.example/verify')).json.domain.status).toBe('VERIFIED');
    expect((await deployOnce(harness, 'alice')).status).toBe('LIVE');
    expect(await cache.get(domainKey('www.alice-shop.example'))).toBe('alice');
    // Once alice holds it, mallory's pending record cannot take it even if the record named both tokens.
    harness.aws.platform.txtResolver = { resolveTxt: async () => [value, squat.json.domain.verification.value] };
    expect((await harness.call('POST', '/projects/mallory/domains/www.alice-shop.example/verify')).json).toMatchObject({
      domain: { status: 'PENDING' },
      problem: 'www.alice-shop.example is already used by another project',
    });
    expect((await deployOnce(harness, 'mallory')).status).toBe('LIVE');
    expect(await cache.get(domainKey('www.alice-shop.example'))).toBe('alice');
  }, 60_000);
});
