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

function secretUses(resources: Record<string, TemplateResource>): { router: string; header: string } {
  const router = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables?.SLIPWAY_ORIGIN_SECRET !==
        undefined,
  );
  const distribution = Object.values(resources).find(
    (r) => r.Type === 'AWS::CloudFront::Distribution' && JSON.stringify(r.Properties).includes('x-slipway-origin-secret'),
  );
  if (!router || !distribution) throw new Error('no router function or tenant distribution in the template');
  const origins = (
    distribution.Properties as {
      DistributionConfig: { Origins: Array<{ OriginCustomHeaders?: Array<{ HeaderName: string; HeaderValue: unknown }> }> };
    }
  ).DistributionConfig.Origins;
  const header = origins.flatMap((o) => o.OriginCustomHeaders ?? []).find((h) => h.HeaderName === 'x-slipway-origin-secret');
  return {
    router: JSON.stringify(
      (router.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables.SLIPWAY_ORIGIN_SECRET,
    ),
    header: JSON.stringify(header?.HeaderValue),
  };
}

describe('origin secret rotation', () => {
  it('changes the router variable and the origin header together when the version changes', () => {
    const current = secretUses(platformTemplate());
    const a = secretUses(platformTemplate({ originSecretVersion: VERSION_A }));
    const b = secretUses(platformTemplate({ originSecretVersion: VERSION_B }));
    for (const uses of [current, a, b]) expect(uses.router).toBe(uses.header);
    expect(a.router).toContain(VERSION_A);
    expect(b.router).toContain(VERSION_B);
    expect(new Set([current.router, a.router, b.router]).size).toBe(3);
    // Never the value itself: only a dynamic reference to the secret.
    expect(current.router).toContain('{{resolve:secretsmanager:');
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
