import type { operations } from '../api/schema.js';

type ListedDomain = operations['listProjectDomains']['responses'][200]['content']['application/json']['domains'][number];
export type CertificateState = ListedDomain['certificate'];

/** How a certificate state reads: `ok` when HTTPS works, `wait` while it will by itself, `act` when someone must look. */
export type CertificateTone = 'ok' | 'wait' | 'act';

/**
 * A verified domain's HTTPS state in words (the page shows the words; the tone only styles them).
 * `target` is where the domain's CNAME must point, when the platform names it.
 */
export function certificateText(state: CertificateState, target?: string): { text: string; tone: CertificateTone } {
  const cname = target ? `point its CNAME at ${target}` : 'point its CNAME at the platform’s custom-domain target';
  switch (state) {
    case 'issued':
      return { text: 'HTTPS: certificate issued', tone: 'ok' };
    case 'pending-validation':
      return { text: `HTTPS: waiting for CloudFront to validate the certificate — ${cname}`, tone: 'wait' };
    case 'none':
      return {
        text: target
          ? `HTTPS: no certificate yet — the next release requests it; then ${cname}`
          : 'HTTPS: no certificate (a local platform needs none; on AWS the next release requests it)',
        tone: 'wait',
      };
    case 'validation-timed-out':
      return { text: `HTTPS: CloudFront could not validate the certificate in time — ${cname}`, tone: 'act' };
    case 'expired':
      return { text: 'HTTPS: certificate expired', tone: 'act' };
    case 'revoked':
      return { text: 'HTTPS: certificate revoked', tone: 'act' };
    case 'failed':
      return { text: 'HTTPS: certificate request failed', tone: 'act' };
    case 'inactive':
      return { text: 'HTTPS: certificate inactive', tone: 'act' };
    case 'unknown':
      return { text: 'HTTPS: state unavailable right now; reload to try again', tone: 'wait' };
  }
}
