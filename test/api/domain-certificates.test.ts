import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { noCertificates } from '../../handlers/lib/bindings/custom-domain-certificates/none.js';
import type { CertificateStatus, CustomDomainCertificates } from '../../handlers/lib/bindings/types.js';
import { Domain, DomainList } from '../../handlers/api/responses.js';
import { type ApiHarness, type CallResult, createReadyProject, startApiHarness } from './support/api-harness.js';

/**
 * The domain answers carry each domain's certificate state from the CustomDomainCertificates
 * binding (on AWS CloudFront's managed certificate of the domain's tenant): asked only for a
 * VERIFIED domain, and a failing lookup shows `unknown` without failing the answer.
 */
let harness: ApiHarness;
/** The domains the binding was asked about, in order. */
const asked: string[] = [];
/** What the binding answers per domain; a domain missing here makes it throw. */
const states: Record<string, CertificateStatus> = {};

const fixedStates: CustomDomainCertificates = {
  add: async () => {},
  remove: async () => 'removed',
  async status(domain) {
    asked.push(domain);
    const state = states[domain];
    if (!state) throw Object.assign(new Error(`AccessDenied on ${domain}`), { name: 'AccessDenied' });
    return state;
  },
};

/** Adds `domain` to the project and proves it with its published challenge record. */
async function addVerified(domain: string): Promise<CallResult['json']> {
  const added = await harness.call('POST', '/projects/shop/domains', { domain });
  expect(added.status, JSON.stringify(added.json)).toBe(201);
  expect(added.json.domain.certificate).toBe('none');
  const { name, value } = added.json.domain.verification;
  const before = harness.aws.platform.txtResolver;
  harness.aws.platform.txtResolver = { resolveTxt: async (query) => (query === name ? [value] : before.resolveTxt(query)) };
  const verified = await harness.call('POST', `/projects/shop/domains/${domain}/verify`);
  expect(verified.status).toBe(200);
  expect(verified.json.domain.status).toBe('VERIFIED');
  return verified.json.domain;
}

const listed = async () => {
  const answer = await harness.call('GET', '/projects/shop/domains');
  expect(answer.status).toBe(200);
  for (const domain of answer.json.domains) v.parse(Domain, domain);
  return Object.fromEntries(answer.json.domains.map((d: { domain: string; certificate: string }) => [d.domain, d.certificate]));
};

beforeAll(async () => {
  harness = await startApiHarness();
  await createReadyProject(harness, 'shop');
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('custom domain certificates in the API', () => {
  it('locally (no certificates) every domain shows none, and no CNAME target is named', async () => {
    expect(harness.aws.platform.customDomainCertificates).toBe(noCertificates);
    expect((await addVerified('local.shop.example')).certificate).toBe('none');
    expect(await listed()).toEqual({ 'local.shop.example': 'none' });
    expect((await harness.call('GET', '/projects/shop/domains')).json).not.toHaveProperty('target');
    expect((await harness.call('DELETE', '/projects/shop/domains/local.shop.example')).status).toBe(200);
  });

  it('gives each VERIFIED domain its state and a PENDING one none, without asking for it', async () => {
    harness.aws.platform.customDomainCertificates = fixedStates;
    states['www.shop.example'] = 'issued';
    states['new.shop.example'] = 'pending-validation';
    const verifiedNow = await addVerified('www.shop.example');
    // The verify answer already carries the state.
    expect(verifiedNow.certificate).toBe('issued');
    await addVerified('new.shop.example');
    const pending = await harness.call('POST', '/projects/shop/domains', { domain: 'later.shop.example' });
    expect(pending.json.domain).toMatchObject({ status: 'PENDING', certificate: 'none' });
    asked.splice(0);

    expect(await listed()).toEqual({
      'www.shop.example': 'issued',
      'new.shop.example': 'pending-validation',
      'later.shop.example': 'none',
    });
    expect(asked.sort()).toEqual(['new.shop.example', 'www.shop.example']);

    // Once CloudFront issued it, the next listing says so.
    states['new.shop.example'] = 'issued';
    expect((await listed())['new.shop.example']).toBe('issued');

    // A platform that names the CNAME target (AWS: the connection group's routing endpoint) answers it with the list.
    harness.aws.platform.customDomainTarget = 'd1234abcd.cloudfront.net';
    try {
      const answer = await harness.call('GET', '/projects/shop/domains');
      expect(v.parse(DomainList, answer.json).target).toBe('d1234abcd.cloudfront.net');
    } finally {
      delete harness.aws.platform.customDomainTarget;
    }
  });

  it('shows unknown for a domain whose state cannot be read, and still answers 200 with the others', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      delete states['www.shop.example'];
      expect(await listed()).toEqual({
        'www.shop.example': 'unknown',
        'new.shop.example': 'issued',
        'later.shop.example': 'none',
      });
      expect(logged).toHaveBeenCalledWith(
        'slipway api: could not read the certificate state',
        expect.objectContaining({ project: 'shop', domain: 'www.shop.example', error: 'AccessDenied' }),
      );
      // A state the API does not know (a newer CloudFront value) is unknown as well, never an invalid answer.
      states['www.shop.example'] = 'renewing' as CertificateStatus;
      expect((await listed())['www.shop.example']).toBe('unknown');
    } finally {
      logged.mockRestore();
      harness.aws.platform.customDomainCertificates = noCertificates;
    }
  });
});
