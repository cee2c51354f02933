import { customDomainCertificates } from '../../../handlers/lib/bindings/bound.js';

/** A Lambda handler that answers whether a CustomDomainCertificates is bound, or why not. */
export async function handler(): Promise<string> {
  try {
    const certificates = customDomainCertificates();
    return [certificates.add, certificates.remove, certificates.status].every((call) => typeof call === 'function')
      ? 'bound'
      : 'not a CustomDomainCertificates';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}
