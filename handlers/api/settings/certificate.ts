import { customDomainCertificates } from '../../lib/bindings/bound.js';
import { CERTIFICATE_STATUSES, type CertificateStatus } from '../../lib/bindings/types.js';
import type { DomainItem } from '../../lib/project-settings/store.js';

/** A domain's certificate as the API shows it: the binding's state, or `unknown` when it could not be read. */
export type CertificateView = CertificateStatus | 'unknown';

const known = (status: string): status is CertificateStatus => (CERTIFICATE_STATUSES as readonly string[]).includes(status);

/**
 * The certificate state of `item`: a PENDING domain has none (Release makes certificates for
 * VERIFIED domains only), so the binding is not asked. A failing lookup (CloudFront throttling,
 * a missing right) is logged and shown as `unknown`: the domain list must still answer.
 */
export async function certificateOf(item: DomainItem): Promise<CertificateView> {
  if (item.status !== 'VERIFIED') return 'none';
  try {
    const status = await customDomainCertificates().status(item.domain);
    if (known(status)) return status;
    console.error('slipway api: unexpected certificate state', { project: item.project, domain: item.domain, status });
  } catch (error) {
    console.error('slipway api: could not read the certificate state', {
      project: item.project,
      domain: item.domain,
      error: (error as Error).name,
      message: (error as Error).message,
    });
  }
  return 'unknown';
}
