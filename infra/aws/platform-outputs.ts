import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { aws_cloudfront as cloudfront, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { API_BASE } from '../../handlers/api/openapi.js';

/**
 * The stack outputs docs/DEPLOY-AWS.md's steps read, each under a fixed name (the name `cdk deploy`
 * prints and `describe-stacks` returns), so the guide can name them; test/aws/platform-outputs.test.ts
 * holds the two to each other.
 */
export const PLATFORM_OUTPUTS = {
  ApiUrl: 'SLIPWAY_API_URL for the CLI: the API on the dashboard host',
  DashboardUrl: 'the dashboard; the API answers under /api/v1/ on the same origin',
  DashboardDistributionDomain: "point the dashboard's name (dashboardDomainName) here: CNAME or alias",
  TenantDistributionDomain: 'point *.<domainName> here: CNAME or alias',
  CustomDomainTarget:
    "a project's custom domain: CNAME it here once its TXT record verified it (CloudFront then validates its certificate over HTTP)",
  GithubWebhookUrl: "the GitHub App's webhook URL",
  GithubCallbackUrl: "the OAuth app's authorization callback URL",
  AdminTokenSecretArn: 'the admin token (SLIPWAY_TOKEN): aws secretsmanager get-secret-value --secret-id <this ARN>',
  OriginSecretArn: 'the origin secret (the header CloudFront adds to router and dashboard requests): put a new value here to rotate it',
  WorkflowsConsoleUrl: "the state machines in the Step Functions console: every deploy's, rollback's and deletion's execution",
} as const;

export type PlatformOutputName = keyof typeof PLATFORM_OUTPUTS;

export interface PlatformOutputSources {
  /** The dashboard's own name when it has one (dashboardDomainName), else its distribution's. */
  dashboardDomainName: string | undefined;
  dashboardDistribution: cloudfront.IDistribution;
  tenantDistribution: cloudfront.IDistribution;
  /** The custom-domain distribution's connection group: its routing endpoint is what custom domains CNAME to. */
  customDomainConnectionGroup: cloudfront.CfnConnectionGroup;
  adminTokenSecret: secretsmanager.ISecret;
  originSecret: secretsmanager.ISecret;
}

export function addPlatformOutputs(scope: Construct, sources: PlatformOutputSources): void {
  const region = Stack.of(scope).region;
  const dashboardHost = sources.dashboardDomainName ?? sources.dashboardDistribution.distributionDomainName;
  const api = `https://${dashboardHost}${API_BASE}`;
  const values: Record<PlatformOutputName, string> = {
    ApiUrl: api,
    DashboardUrl: `https://${dashboardHost}/`,
    DashboardDistributionDomain: sources.dashboardDistribution.distributionDomainName,
    TenantDistributionDomain: sources.tenantDistribution.distributionDomainName,
    CustomDomainTarget: sources.customDomainConnectionGroup.attrRoutingEndpoint,
    GithubWebhookUrl: `${api}/webhooks/github`,
    GithubCallbackUrl: `${api}/auth/github/callback`,
    AdminTokenSecretArn: sources.adminTokenSecret.secretArn,
    OriginSecretArn: sources.originSecret.secretArn,
    WorkflowsConsoleUrl: `https://${region}.console.aws.amazon.com/states/home?region=${region}#/statemachines`,
  };
  for (const [name, value] of Object.entries(values)) {
    new CfnOutput(scope, name, { value, description: PLATFORM_OUTPUTS[name as PlatformOutputName] });
  }
}
