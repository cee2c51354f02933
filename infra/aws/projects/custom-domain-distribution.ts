import { Stack, aws_cloudfront as cloudfront, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { stageName } from '../../../handlers/lib/stage.js';
import { CUSTOM_DOMAIN_VARIABLES } from '../runtime/custom-domain-certificates.js';
import { acknowledge, nagText } from '../shared/nag.js';
import { stageOf } from '../shared/stage.js';

/**
 * DistributionConfig properties a multi-tenant distribution refuses, which CDK's L2 Distribution
 * writes by default (IPv6, price class) or with a certificate (aliases, viewer certificate); the
 * connection group and each tenant's managed certificate take their place. Sources in
 * infra/aws/permissions/custom-domain-facts.ts (docs/AWS-PERMISSIONS.md, "Custom domains").
 */
export const TENANT_ONLY_REFUSED = [
  'Aliases',
  'ViewerCertificate',
  'PriceClass',
  'IPV6Enabled',
  'ContinuousDeploymentPolicyId',
  'Staging',
] as const;

/**
 * Custom domains on AWS (CloudFront SaaS Manager): a multi-tenant distribution with the tenants'
 * distribution's origins, behaviors and CloudFront Functions (so the route cache's `d:{host}`
 * entries route a custom domain exactly as on the standard one), and the connection group every
 * custom domain's CNAME points at. *Release* adds one distribution tenant per verified domain, with
 * a CloudFront-managed certificate (handlers/lib/bindings/custom-domain-certificates/cloudfront-tenants.ts).
 * aws-cdk-lib's L2 Distribution has no connection mode, so the L1 properties are set on it (the
 * escape hatch CDK's own CloudFront SaaS Manager example uses).
 */
export class CustomDomainDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly connectionGroup: cloudfront.CfnConnectionGroup;

  constructor(scope: Construct, id: string, serving: Pick<cloudfront.DistributionProps, 'defaultBehavior' | 'additionalBehaviors'>) {
    super(scope, id);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Slipway custom domains (one distribution tenant per verified domain)',
      ...serving,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    const config = this.distribution.node.defaultChild as cloudfront.CfnDistribution;
    config.addPropertyOverride('DistributionConfig.ConnectionMode', 'tenant-only');
    for (const refused of TENANT_ONLY_REFUSED) config.addPropertyDeletionOverride(`DistributionConfig.${refused}`);

    this.connectionGroup = new cloudfront.CfnConnectionGroup(this, 'ConnectionGroup', {
      name: stageName(stageOf(this), 'custom-domains'),
      enabled: true,
      ipv6Enabled: true,
    });

    acknowledge(this.distribution, {
      'AwsSolutions-CFR1': 'Tenants serve the public wherever it is; a geo restriction is left to the self-hoster.',
      'AwsSolutions-CFR2':
        'A WAF web ACL costs a fixed monthly fee the idle platform would otherwise not have; self-hosters can attach one. The router refuses requests without the origin secret.',
      'AwsSolutions-CFR3':
        'Standard (legacy S3) access logging is not offered for multi-tenant distributions; their access logs are CloudWatch vended logs, left to the self-hoster.',
      'AwsSolutions-CFR4':
        'A multi-tenant distribution has no viewer certificate of its own: each distribution tenant serves its CloudFront-managed certificate for its domain.',
    });
  }

  /** The ids the functions that add and remove tenants read (infra/aws/runtime/custom-domain-certificates.ts). */
  environment(): Record<string, string> {
    return {
      [CUSTOM_DOMAIN_VARIABLES.distributionId]: this.distribution.distributionId,
      [CUSTOM_DOMAIN_VARIABLES.connectionGroupId]: this.connectionGroup.attrId,
    };
  }

  /**
   * Adding, disabling, deleting and reading distribution tenants of this distribution, and reading
   * their managed certificates: on this distribution, its connection group and the account's
   * distribution tenants (their ids exist only once created). Actions from the Service
   * Authorization Reference (infra/aws/permissions/sdk-call-permissions.ts).
   */
  grantTenantManagement(grantee: iam.IGrantable): void {
    const tenants = this.tenantArns();
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'cloudfront:CreateDistributionTenant',
        'cloudfront:GetDistributionTenant',
        'cloudfront:UpdateDistributionTenant',
        'cloudfront:DeleteDistributionTenant',
        'cloudfront:GetManagedCertificateDetails',
      ],
      resourceArns: [this.distribution.distributionArn, this.connectionGroup.attrArn, tenants],
    });
    this.acknowledgeTenantWildcard(
      grantee,
      'A distribution tenant id exists only once CloudFront created it; tenants are named after the stage and the domain, and only custom domains’ tenants of this distribution are made.',
    );
  }

  /**
   * Reading the state of the tenants' managed certificates, nothing else (the API shows it with
   * each domain). GetManagedCertificateDetails is authorized on the distribution-tenant resource
   * type alone (Service Authorization Reference, infra/aws/permissions/sdk-call-permissions.ts),
   * whose ARN holds the tenant's id, not its name: all tenants of the account, read only.
   */
  grantCertificateRead(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['cloudfront:GetManagedCertificateDetails'], resourceArns: [this.tenantArns()] });
    this.acknowledgeTenantWildcard(
      grantee,
      'Reading certificate states only: a tenant ARN holds its id, which exists only once Release created the tenant; the API asks by the tenant name of a domain it lists.',
    );
  }

  /**
   * What the API function reads: that there is a distribution (its certificate states need no
   * other id) and the routing endpoint a domain's CNAME points at, which the domain answers name.
   */
  apiEnvironment(): Record<string, string> {
    return {
      [CUSTOM_DOMAIN_VARIABLES.distributionId]: this.distribution.distributionId,
      SLIPWAY_CUSTOM_DOMAIN_TARGET: this.connectionGroup.attrRoutingEndpoint,
    };
  }

  private tenantArns(): string {
    return Stack.of(this).formatArn({ service: 'cloudfront', region: '', resource: 'distribution-tenant', resourceName: '*' });
  }

  private acknowledgeTenantWildcard(grantee: iam.IGrantable, reason: string): void {
    if (!Construct.isConstruct(grantee)) return;
    const account = nagText(Stack.of(this).account, 'AWS::AccountId');
    acknowledge(grantee, { [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::${account}:distribution-tenant/*]`]: reason });
  }
}
