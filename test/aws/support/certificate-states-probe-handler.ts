import { customDomainCertificates } from '../../../handlers/lib/bindings/bound.js';

/**
 * A Lambda handler that answers what the bound CustomDomainCertificates does when asked to add a
 * certificate (refused by the read-only states; no call is sent), or with the state of a domain's
 * certificate when `status` is set in the environment of the test.
 */
export async function handler(): Promise<string> {
  const certificates = customDomainCertificates();
  if (process.env.PROBE_ASK_STATUS) return `status ${await certificates.status('www.shop.example')}`;
  try {
    await certificates.add('www.shop.example');
    return 'added';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}
