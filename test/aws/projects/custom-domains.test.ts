import { App, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/aws/app.js';
import { TENANT_ONLY_REFUSED } from '../../../infra/aws/projects/custom-domain-distribution.js';
import { ProjectSystem } from '../../../infra/aws/projects/project-system.js';
import { CUSTOM_DOMAIN_VARIABLES } from '../../../infra/aws/runtime/custom-domain-certificates.js';
import { PlatformStorage } from '../../../infra/aws/storage/platform-storage.js';

// biome-ignore lint/suspicious/noExplicitAny: template JSON is read field by field, as in the other template tests
type Json = Record<string, any>;

/**
 * Custom domains on AWS: the multi-tenant (tenant-only) distribution serves exactly what the
 * tenants' standard distribution serves, without the properties a multi-tenant distribution
 * refuses, behind a connection group; only Release and Delete project data may manage its tenants.
 */
let template: Template;
let granted: Json[];

beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'CustomDomainsTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const system = new ProjectSystem(stack, 'Projects', {
    storage: new PlatformStorage(stack, 'Storage'),
    domainName: 'apps.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
  });
  const role = new iam.Role(stack, 'ReleaseRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  system.customDomains.grantTenantManagement(role);
  template = Template.fromStack(stack);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Json[];
  granted = policies
    .filter((policy) => (policy.Properties.Roles as Json[]).some((r) => JSON.stringify(r).includes('ReleaseRole')))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[]);
}, 120_000);

function distributions(): { standard: Json; tenantOnly: Json; tenantOnlyId: string } {
  const all = Object.entries(template.findResources('AWS::CloudFront::Distribution')) as Array<[string, Json]>;
  expect(all).toHaveLength(2);
  const tenantOnly = all.filter(([, d]) => d.Properties.DistributionConfig.ConnectionMode === 'tenant-only');
  const standard = all.filter(([, d]) => d.Properties.DistributionConfig.ConnectionMode === undefined);
  expect(tenantOnly).toHaveLength(1);
  expect(standard).toHaveLength(1);
  return {
    standard: standard[0]![1].Properties.DistributionConfig,
    tenantOnly: tenantOnly[0]![1].Properties.DistributionConfig,
    tenantOnlyId: tenantOnly[0]![0],
  };
}

/** An origin as both distributions must agree on it: the access control is one per distribution. */
const originShape = ({ OriginAccessControlId, ...origin }: Json) => ({ ...origin, hasAccessControl: OriginAccessControlId !== undefined });

describe('the custom-domain distribution (CloudFront SaaS Manager)', () => {
  it('is a tenant-only distribution with none of the properties a multi-tenant distribution refuses', () => {
    const { tenantOnly, standard } = distributions();
    expect(tenantOnly.ConnectionMode).toBe('tenant-only');
    expect(tenantOnly.Enabled).toBe(true);
    for (const refused of TENANT_ONLY_REFUSED) expect(tenantOnly[refused], refused).toBeUndefined();
    for (const behavior of [tenantOnly.DefaultCacheBehavior, ...(tenantOnly.CacheBehaviors as Json[])])
      for (const refused of ['ForwardedValues', 'DefaultTTL', 'MinTTL', 'MaxTTL', 'SmoothStreaming', 'TrustedSigners'])
        expect(behavior[refused], `${behavior.PathPattern ?? 'default'} ${refused}`).toBeUndefined();
    // Legacy S3 access logging: not offered for multi-tenant distributions.
    expect(tenantOnly.Logging).toBeUndefined();
    // The standard one keeps its own: `*.domain` on the operator's certificate, IPv6, price class.
    expect(standard.Aliases).toEqual(['*.apps.example.com']);
    expect(standard.ViewerCertificate.AcmCertificateArn).toContain('certificate/');
    expect(standard.IPV6Enabled).toBe(true);
  });

  it('runs the same CloudFront Functions on the same behaviors, in front of the same origins', () => {
    const { tenantOnly, standard } = distributions();
    expect(tenantOnly.DefaultCacheBehavior).toEqual(standard.DefaultCacheBehavior);
    expect(tenantOnly.CacheBehaviors).toEqual(standard.CacheBehaviors);
    expect((tenantOnly.Origins as Json[]).map(originShape)).toEqual((standard.Origins as Json[]).map(originShape));
    // Both CloudFront Functions are there (viewer-request on the default behavior, assets on /_app/*).
    const associated = new Set(
      [tenantOnly.DefaultCacheBehavior, ...(tenantOnly.CacheBehaviors as Json[])].flatMap((b) =>
        (b.FunctionAssociations as Json[]).map((a) => JSON.stringify(a.FunctionARN)),
      ),
    );
    expect(associated.size).toBe(2);
    // The project bucket lets this distribution read too (OAC, by its ARN).
    const bucketStatements = (Object.values(template.findResources('AWS::S3::BucketPolicy')) as Json[])
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(JSON.stringify(bucketStatements)).toContain(distributions().tenantOnlyId);
  });

  it('has a connection group, IPv6 on, named by the stage', () => {
    template.resourceCountIs('AWS::CloudFront::ConnectionGroup', 1);
    template.hasResourceProperties('AWS::CloudFront::ConnectionGroup', {
      Name: 'slipway-custom-domains',
      Enabled: true,
      Ipv6Enabled: true,
    });
  });

  it('grants managing distribution tenants on this distribution, its connection group and tenants only', () => {
    const cloudfront = granted.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('cloudfront:')));
    expect(cloudfront).toHaveLength(1);
    const statement = cloudfront[0]!;
    expect([statement.Action].flat().sort()).toEqual([
      'cloudfront:CreateDistributionTenant',
      'cloudfront:DeleteDistributionTenant',
      'cloudfront:GetDistributionTenant',
      'cloudfront:GetManagedCertificateDetails',
      'cloudfront:UpdateDistributionTenant',
    ]);
    const resources = JSON.stringify(statement.Resource);
    const { tenantOnlyId } = distributions();
    const connectionGroup = Object.keys(template.findResources('AWS::CloudFront::ConnectionGroup'))[0]!;
    expect(resources).toContain(`"${tenantOnlyId}"`);
    expect(resources).toContain(`"${connectionGroup}"`);
    expect(resources).toContain(':distribution-tenant/*');
    // Never the tenants' standard distribution, never "*".
    const standardId = Object.keys(template.findResources('AWS::CloudFront::Distribution')).find((id) => id !== tenantOnlyId)!;
    expect(resources).not.toContain(`"${standardId}"`);
    expect([statement.Resource].flat()).not.toContain('*');
  });
});

describe('in the platform app', () => {
  let resources: Record<string, Json>;
  let outputs: Json;

  beforeAll(() => {
    const { app, pipeline } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] }, validateTemplates: false });
    const stack = app.synth().getStackArtifact(pipeline.artifactId).template as { Resources: Record<string, Json>; Outputs: Json };
    resources = stack.Resources;
    outputs = stack.Outputs;
  }, 120_000);

  const functionWith = (handler: string) => {
    const found = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === handler);
    expect(found, handler).toHaveLength(1);
    return found[0]!;
  };
  // A function's Role is its role's Fn::GetAtt Arn; a policy names its roles by Ref.
  const cloudfrontActionsOf = (roleArn: Json) =>
    Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleArn['Fn::GetAtt']?.[0] }]),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Json[])
      .flatMap((s) => [s.Action].flat() as string[])
      .filter((a) => a.startsWith('cloudfront:'));

  it('gives Release and Delete project data the distribution and connection group, and only them the tenant actions', () => {
    const holders: string[] = [];
    for (const [id, fn] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      if (cloudfrontActionsOf(fn.Properties.Role).some((a) => a !== 'cloudfront:GetManagedCertificateDetails'))
        holders.push(fn.Properties.Handler ?? id);
    }
    expect(holders.sort()).toEqual(['handlers/pipeline/delete-project-data.handler', 'handlers/pipeline/release.handler']);
    for (const handler of ['handlers/pipeline/release.handler', 'handlers/pipeline/delete-project-data.handler']) {
      const [, fn] = functionWith(handler);
      const variables = fn.Properties.Environment.Variables as Json;
      expect(variables[CUSTOM_DOMAIN_VARIABLES.distributionId], handler).toEqual({ Ref: expect.stringContaining('CustomDomains') });
      expect(variables[CUSTOM_DOMAIN_VARIABLES.connectionGroupId], handler).toEqual({
        'Fn::GetAtt': [expect.stringContaining('ConnectionGroup'), 'Id'],
      });
    }
  });

  it("lets the API read the tenants' certificate states and nothing else of CloudFront", () => {
    const [, api] = functionWith('handlers/api/lambda.handler');
    expect(cloudfrontActionsOf(api.Properties.Role)).toEqual(['cloudfront:GetManagedCertificateDetails']);
    const statements = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: api.Properties.Role['Fn::GetAtt'][0] }]),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => [s.Action].flat().includes('cloudfront:GetManagedCertificateDetails'));
    expect(statements).toHaveLength(1);
    // The action's only resource type is the distribution tenant: never a distribution, never "*".
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':distribution-tenant/*');
    expect([statements[0]!.Resource].flat()).toHaveLength(1);
    // It learns that there is a distribution (its bundle binds CloudFront's states then), not how to add tenants to it.
    const variables = api.Properties.Environment.Variables as Json;
    expect(variables[CUSTOM_DOMAIN_VARIABLES.distributionId]).toEqual({ Ref: expect.stringContaining('CustomDomains') });
    expect(variables[CUSTOM_DOMAIN_VARIABLES.connectionGroupId]).toBeUndefined();
    // The domain answers name where a domain's CNAME points: the routing endpoint CustomDomainTarget outputs.
    expect(variables.SLIPWAY_CUSTOM_DOMAIN_TARGET).toEqual(outputs.CustomDomainTarget.Value);
  });

  it("outputs the connection group's routing endpoint for customers' CNAME records", () => {
    expect(outputs.CustomDomainTarget.Value).toEqual({ 'Fn::GetAtt': [expect.stringContaining('ConnectionGroup'), 'RoutingEndpoint'] });
  });
});
