import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/app.js';
import { formatFindings, nagFindings } from './support/nag.js';

/**
 * cdk-nag's AwsSolutions pack over the whole platform, as `cdk deploy` would install it, with and
 * without a custom domain. Every suppression is an acknowledgment with its reason, written where
 * the resource is defined (`Validations.of(construct).acknowledge`).
 */
function app(context: Record<string, unknown> = {}) {
  // Bundling does not change what nag reads; skipping it keeps the test quick.
  return buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } }).app;
}

describe('cdk-nag AwsSolutions over the whole app', () => {
  it('finds nothing unacknowledged (errors and warnings)', () => {
    const findings = nagFindings(app());
    expect(findings, formatFindings(findings)).toEqual([]);
  }, 180_000);

  it('finds nothing unacknowledged with a custom domain and certificate either', () => {
    const findings = nagFindings(
      app({
        domainName: 'apps.example.com',
        dashboardDomainName: 'slipway.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      }),
    );
    expect(findings, formatFindings(findings)).toEqual([]);
  }, 180_000);

  it('finds nothing unacknowledged in another stage (its acknowledgments name its own resources)', () => {
    const findings = nagFindings(app({ stage: 'dev' }));
    expect(findings, formatFindings(findings)).toEqual([]);
  }, 180_000);
});
