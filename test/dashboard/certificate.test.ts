import { describe, expect, it } from 'vitest';
import { type CertificateState, certificateText } from '../../dashboard/src/lib/components/certificate.js';
import { CERTIFICATE_STATUSES } from '../../handlers/lib/bindings/types.js';

/** How the settings page words a verified domain's certificate state. */
describe("a domain's certificate state in words", () => {
  // Every state the API may answer (responses.ts: CloudFront's states and 'unknown'), so a new one fails here until it has words.
  const states: CertificateState[] = [...CERTIFICATE_STATUSES, 'unknown'];

  it('says each state in its own words, starting with HTTPS', () => {
    const texts = states.map((state) => certificateText(state).text);
    for (const text of texts) expect(text).toMatch(/^HTTPS: \S/);
    expect(new Set(texts).size).toBe(states.length);
    expect(certificateText('issued')).toEqual({ text: 'HTTPS: certificate issued', tone: 'ok' });
  });

  it('names the CNAME target where the owner has to act, when the platform gives it', () => {
    const target = 'd1234abcd.cloudfront.net';
    expect(certificateText('pending-validation', target).text).toContain(`point its CNAME at ${target}`);
    expect(certificateText('validation-timed-out', target)).toMatchObject({ tone: 'act', text: expect.stringContaining(target) });
    expect(certificateText('none', target).text).toContain('next release');
    // Without a target (the local platform) a missing certificate is no fault.
    expect(certificateText('none').text).toContain('local platform needs none');
  });
});
