import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/app.js';
import { platformTemplate, type TemplateResource } from './support/iam-policy.js';

/**
 * Rotating the origin secret (docs/DEPLOY-AWS.md): the operator puts a new value, then deploys with
 * `-c originSecretVersion=<VersionId>`. The router's variable and the distribution's origin header
 * must both change with it, together: an unchanged `{{resolve:…}}` text leaves CloudFormation
 * nothing to update, and a change to one side only locks every visitor out.
 */
const VERSION_A = 'a1b2c3d4-0000-4000-8000-00000000000a';
const VERSION_B = 'a1b2c3d4-0000-4000-8000-00000000000b';

/** Every use of the origin secret: the functions that check it (router, dashboard) and the origin headers that send it (every distribution). */
function secretUses(resources: Record<string, TemplateResource>): { checks: string[]; headers: string[] } {
  const checks = Object.values(resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => (r.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables?.SLIPWAY_ORIGIN_SECRET)
    .filter((value) => value !== undefined)
    .map((value) => JSON.stringify(value));
  const headers = Object.values(resources)
    .filter((r) => r.Type === 'AWS::CloudFront::Distribution')
    .flatMap(
      (r) =>
        (
          r.Properties as {
            DistributionConfig: { Origins: Array<{ OriginCustomHeaders?: Array<{ HeaderName: string; HeaderValue: unknown }> }> };
          }
        ).DistributionConfig.Origins,
    )
    .flatMap((o) => o.OriginCustomHeaders ?? [])
    .filter((h) => h.HeaderName === 'x-slipway-origin-secret')
    .map((h) => JSON.stringify(h.HeaderValue));
  // The router and the dashboard server function; the tenant distribution, the tenant-only
  // distribution of custom domains (the same router origin) and the dashboard distribution.
  if (checks.length !== 2 || headers.length !== 3)
    throw new Error(`expected 2 checks and 3 headers, got ${checks.length} and ${headers.length}`);
  return { checks, headers };
}

describe('origin secret rotation', () => {
  it("changes the router and dashboard variables and every distribution's origin headers together when the version changes", () => {
    const current = secretUses(platformTemplate());
    const a = secretUses(platformTemplate({ originSecretVersion: VERSION_A }));
    const b = secretUses(platformTemplate({ originSecretVersion: VERSION_B }));
    for (const uses of [current, a, b]) expect(new Set([...uses.checks, ...uses.headers]).size).toBe(1);
    expect(a.checks[0]).toContain(VERSION_A);
    expect(b.checks[0]).toContain(VERSION_B);
    expect(new Set([current.checks[0], a.checks[0], b.checks[0]]).size).toBe(3);
    // Never the value itself: only a dynamic reference to the secret.
    expect(current.checks[0]).toContain('{{resolve:secretsmanager:');
  });

  it('refuses a version that is not a Secrets Manager VersionId, naming the context key', () => {
    for (const bad of ['AWSCURRENT', 'x'.repeat(65), 'a1b2c3d4 0000 4000 8000 00000000000a']) {
      expect(
        () => buildApp({ context: { 'aws:cdk:bundling-stacks': [], originSecretVersion: bad }, validateTemplates: false }),
        bad,
      ).toThrow(/"field":"context.originSecretVersion"/);
    }
  });
});
