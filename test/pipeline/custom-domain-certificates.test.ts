import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import type { CustomDomainCertificates } from '../../handlers/lib/bindings/types.js';
import { domainKey } from '../../handlers/lib/route-cache-keys.js';
import { type ApiHarness, createReadyProject, deployOnce, startApiHarness, waitFor } from '../api/support/api-harness.js';

/**
 * The workflows call the CustomDomainCertificates binding (on AWS, CloudFront distribution tenants)
 * as the local engine runs them: Release adds a certificate for every verified domain and removes
 * the certificates of domains no longer routed, retrying an unfinished removal at the next
 * release; Delete project data removes the project's; a domain another project holds by then
 * keeps its certificate.
 */
let harness: ApiHarness;
const calls: string[] = [];
/** Domains whose next removal answers `disabling` (not deletable yet). */
const slowRemovals = new Set<string>();

const recording: CustomDomainCertificates = {
  async add(domain) {
    calls.push(`add ${domain}`);
  },
  async remove(domain) {
    calls.push(`remove ${domain}`);
    if (slowRemovals.delete(domain)) return 'disabling';
    return 'removed';
  },
  async status() {
    return 'none';
  },
};

/** Adds `domain` to `project` and proves it: the resolver answers the domain's challenge record. */
async function verified(project: string, domain: string): Promise<void> {
  const added = await harness.call('POST', `/projects/${project}/domains`, { domain });
  expect(added.status, JSON.stringify(added.json)).toBe(201);
  const { name, value } = added.json.domain.verification;
  const before = harness.aws.platform.txtResolver;
  harness.aws.platform.txtResolver = { resolveTxt: async (asked) => (asked === name ? [value] : before.resolveTxt(asked)) };
  expect((await harness.call('POST', `/projects/${project}/domains/${domain}/verify`)).json.domain.status).toBe('VERIFIED');
}

const taken = () => calls.splice(0).sort();

beforeAll(async () => {
  harness = await startApiHarness();
  harness.aws.platform.customDomainCertificates = recording;
  await createReadyProject(harness, 'shop');
  await createReadyProject(harness, 'other');
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('custom domain certificates in the workflows', () => {
  it('Release adds a certificate for each verified domain, none for a pending one', async () => {
    await verified('shop', 'www.shop.example');
    expect((await harness.call('POST', '/projects/shop/domains', { domain: 'pending.shop.example' })).status).toBe(201);
    expect((await deployOnce(harness, 'shop')).status).toBe('LIVE');
    expect(taken()).toEqual(['add www.shop.example']);
    // Every release again: an earlier failure heals.
    expect((await deployOnce(harness, 'shop')).status).toBe('LIVE');
    expect(taken()).toEqual(['add www.shop.example']);
  }, 60_000);

  it('Release removes the certificate of a removed domain, and again at the next release until it is deleted', async () => {
    expect((await harness.call('DELETE', '/projects/shop/domains/www.shop.example')).status).toBe(200);
    slowRemovals.add('www.shop.example');
    expect((await deployOnce(harness, 'shop')).status).toBe('LIVE');
    expect(taken()).toEqual(['remove www.shop.example']);
    const cache = new FileRouteCache(join(harness.aws.dir, 'route-cache'));
    expect(await cache.get(domainKey('www.shop.example'))).toBeUndefined();
    expect((await deployOnce(harness, 'shop')).status).toBe('LIVE');
    expect(taken()).toEqual(['remove www.shop.example']);
    // Deleted now: nothing more to do.
    expect((await deployOnce(harness, 'shop')).status).toBe('LIVE');
    expect(taken()).toEqual([]);
  }, 90_000);

  it('never removes a certificate another project holds by the time of the removal, nor its route entry', async () => {
    await verified('shop', 'moving.example');
    expect((await deployOnce(harness, 'shop')).status).toBe('LIVE');
    expect(taken()).toEqual(['add moving.example']);
    // shop lets it go; other proves and releases it before shop's next release.
    expect((await harness.call('DELETE', '/projects/shop/domains/moving.example')).status).toBe(200);
    await verified('other', 'moving.example');
    expect((await deployOnce(harness, 'other')).status).toBe('LIVE');
    expect(taken()).toEqual(['add moving.example']);
    expect((await deployOnce(harness, 'shop')).status).toBe('LIVE');
    expect(taken()).toEqual([]);
    const cache = new FileRouteCache(join(harness.aws.dir, 'route-cache'));
    expect(await cache.get(domainKey('moving.example'))).toBe('other');
  }, 90_000);

  it("Delete project data removes the certificates of the project's domains", async () => {
    await verified('shop', 'api.shop.example');
    expect((await deployOnce(harness, 'shop')).status).toBe('LIVE');
    expect(taken()).toEqual(['add api.shop.example']);
    expect((await harness.call('DELETE', '/projects/shop')).status).toBe(202);
    await waitFor(
      () => harness.call('GET', '/projects/shop'),
      (r) => r.status === 404,
    );
    // Its verified domain; the pending one never had a certificate.
    expect(taken()).toEqual(['remove api.shop.example']);
  }, 60_000);
});
