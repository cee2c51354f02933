import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/app.js';
import { PLATFORM_OUTPUTS } from '../../infra/aws/platform-outputs.js';

// biome-ignore lint/suspicious/noExplicitAny: template JSON is read field by field, as in the other template tests
type Json = Record<string, any>;

/** The platform template's resources and outputs, synthesized with `context` (no bundling: it changes no output). */
function synthesize(context: Record<string, unknown>): { resources: Record<string, Json>; outputs: Json } {
  const { app, pipeline } = buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, validateTemplates: false });
  const template = app.synth().getStackArtifact(pipeline.artifactId).template as {
    Resources: Record<string, Json>;
    Outputs: Record<string, Json>;
  };
  return { resources: template.Resources, outputs: template.Outputs };
}

function distributionWithAlias(resources: Record<string, Json>, alias: string): string {
  const found = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::CloudFront::Distribution' && (r.Properties.DistributionConfig.Aliases ?? []).includes(alias),
  );
  if (!found) throw new Error(`no distribution serves ${alias}`);
  return found[0];
}

let withDomains: ReturnType<typeof synthesize>;
let bare: ReturnType<typeof synthesize>;

beforeAll(() => {
  withDomains = synthesize({
    domainName: 'apps.example.com',
    dashboardDomainName: 'slipway.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
  });
  bare = synthesize({});
}, 120_000);

describe('the stack outputs the deploy guide reads', () => {
  it('are exactly the named ones, each described, under the names the guide uses', () => {
    for (const { outputs } of [withDomains, bare]) {
      expect(Object.keys(outputs).sort()).toEqual(Object.keys(PLATFORM_OUTPUTS).sort());
      for (const [name, output] of Object.entries(outputs)) expect(output.Description, name).toBeTruthy();
    }
  });

  it("give each distribution's own domain for its DNS record", () => {
    const { resources, outputs } = withDomains;
    expect(outputs.TenantDistributionDomain.Value).toEqual({
      'Fn::GetAtt': [distributionWithAlias(resources, '*.apps.example.com'), 'DomainName'],
    });
    expect(outputs.DashboardDistributionDomain.Value).toEqual({
      'Fn::GetAtt': [distributionWithAlias(resources, 'slipway.example.com'), 'DomainName'],
    });
  });

  it('give the API, webhook and callback URLs on the dashboard domain', () => {
    const { outputs } = withDomains;
    expect(outputs.ApiUrl.Value).toBe('https://slipway.example.com/api/v1');
    expect(outputs.DashboardUrl.Value).toBe('https://slipway.example.com/');
    expect(outputs.GithubWebhookUrl.Value).toBe('https://slipway.example.com/api/v1/webhooks/github');
    expect(outputs.GithubCallbackUrl.Value).toBe('https://slipway.example.com/api/v1/auth/github/callback');
  });

  it("fall back to the dashboard distribution's own name without a dashboard domain", () => {
    const { resources, outputs } = bare;
    const dashboard = Object.keys(resources).find(
      (id) => resources[id]?.Type === 'AWS::CloudFront::Distribution' && id.includes('Dashboard'),
    );
    const host = { 'Fn::GetAtt': [dashboard, 'DomainName'] };
    expect(outputs.DashboardDistributionDomain.Value).toEqual(host);
    expect(outputs.GithubWebhookUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', host, '/api/v1/webhooks/github']] });
  });

  it("name the platform's two secrets and the region's state machine console", () => {
    const { resources, outputs } = withDomains;
    for (const name of ['AdminTokenSecretArn', 'OriginSecretArn']) {
      const ref = outputs[name].Value.Ref as string;
      expect(resources[ref]?.Type, name).toBe('AWS::SecretsManager::Secret');
    }
    expect(outputs.AdminTokenSecretArn.Value.Ref).toMatch(/AdminToken/);
    expect(outputs.OriginSecretArn.Value.Ref).toMatch(/OriginSecret/);
    expect(JSON.stringify(outputs.WorkflowsConsoleUrl.Value)).toContain('.console.aws.amazon.com/states/home?region=');
  });
});
