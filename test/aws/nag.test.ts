import { describe, expect, it } from 'vitest';
import { findingsUnder, formatFindings, nagFindings, type NagFinding } from './support/nag.js';
import { internalTestStack } from './support/internal-stack.js';

/**
 * Findings in constructs this test does not own, acknowledged by their owners in time: each must
 * be acknowledged (with its reason) where the resource is defined, then leave this list.
 */
const PENDING_ELSEWHERE: Record<string, string> = {
  'AwsSolutions-SMG4': 'PlatformStorage/TicketKey: the ticket-signing key has no rotation schedule',
};

describe('cdk-nag AwsSolutions', () => {
  let findings: NagFinding[];
  const stackFindings = () => {
    if (!findings) findings = nagFindings(internalTestStack().app);
    return findings;
  };

  it('finds nothing unacknowledged in the internal system (errors and warnings)', () => {
    const internal = findingsUnder(stackFindings(), ['InternalTest/Internal']);
    expect(internal, formatFindings(internal)).toEqual([]);
  }, 120_000);

  it('finds nothing unacknowledged in the internal system with a custom domain either', () => {
    const withDomain = findingsUnder(nagFindings(internalTestStack({ domainName: 'slipway.example.com', withCertificate: true }).app), ['InternalTest/Internal']);
    expect(withDomain, formatFindings(withDomain)).toEqual([]);
  }, 120_000);

  it('finds nothing elsewhere in the stack but the findings pending with their owners', () => {
    const elsewhere = stackFindings().filter((f) => f.paths.some((path) => !path.startsWith('InternalTest/Internal/')));
    const unexpected = elsewhere.filter((f) => !(f.rule in PENDING_ELSEWHERE));
    expect(unexpected, formatFindings(unexpected)).toEqual([]);
  }, 120_000);
});
