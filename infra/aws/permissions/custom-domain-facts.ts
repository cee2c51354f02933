/**
 * What the custom-domain certificates (CloudFront SaaS Manager: a multi-tenant distribution, a
 * connection group, one distribution tenant per verified domain) rest on, each fact with where AWS
 * documents it, and the ones no documentation here confirmed (`open`), so the first deploy in a
 * real account knows what to check. Rendered into docs/AWS-PERMISSIONS.md.
 */
const CFN = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference';
const API = 'https://docs.aws.amazon.com/cloudfront/latest/APIReference';
const GUIDE = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide';
const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference';

export interface CustomDomainFact {
  fact: string;
  source: string;
  /** Not confirmed by the documentation read: to check in an account. */
  open?: boolean;
}

export const CUSTOM_DOMAIN_FACTS: readonly CustomDomainFact[] = [
  {
    fact: '`DistributionConfig.ConnectionMode` is `direct` (standard) or `tenant-only` (multi-tenant); `TenantConfig` only applies to multi-tenant distributions.',
    source: `${CFN}/aws-properties-cloudfront-distribution-distributionconfig.html (ConnectionMode, TenantConfig)`,
  },
  {
    fact: 'A multi-tenant distribution refuses (each marked "This field only supports standard distributions"): `Aliases`, `ContinuousDeploymentPolicyId`, `Staging`, `PriceClass`, `ViewerCertificate.IamCertificateId`, and in cache behaviors `ForwardedValues`, `DefaultTTL`, `MinTTL`, `MaxTTL`, `SmoothStreaming`, `TrustedSigners` (the platform uses cache policies, none of these).',
    source: `${CFN}/aws-properties-cloudfront-distribution-distributionconfig.html; ${GUIDE}/distribution-config-options.html#unsupported-saas`,
  },
  {
    fact: 'IPv6 and price class are settings of the connection group, not of a multi-tenant distribution (`IPV6Enabled` dropped from the template; the connection group has `Ipv6Enabled`).',
    source: `${CFN}/aws-resource-cloudfront-connectiongroup.html; ${GUIDE}/distribution-config-options.html#unsupported-saas`,
  },
  {
    fact: 'Standard (legacy S3) access logging is not offered for a multi-tenant distribution, so the template sets no `Logging` on it.',
    source: `${GUIDE}/distribution-config-options.html#unsupported-saas`,
    open: true,
  },
  {
    fact: "aws-cdk-lib's L2 `Distribution` has no connection mode: CDK's own SaaS Manager example sets `connectionMode: 'tenant-only'` on the L1 `CfnDistribution` (escape hatch), with `CfnConnectionGroup` and `CfnDistributionTenant`.",
    source: 'aws-cdk-lib aws-cloudfront README, "CloudFront SaaS Manager resources" (node_modules/aws-cdk-lib/aws-cloudfront/README.md)',
  },
  {
    fact: 'A multi-tenant distribution has no routing endpoint of its own: its tenants are reached through a connection group, whose `RoutingEndpoint` attribute is the name customers CNAME to.',
    source: `${GUIDE}/distribution-config-options.html; ${CFN}/aws-resource-cloudfront-connectiongroup.html (RoutingEndpoint)`,
  },
  {
    fact: '`CreateDistributionTenant` needs `DistributionId`, `Name` (`[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]`, unique in the account, never renamed) and at least one domain; `ConnectionGroupId`, `Enabled` and `ManagedCertificateRequest` are optional.',
    source: `${API}/API_CreateDistributionTenant.html`,
  },
  {
    fact: '`ManagedCertificateRequest.ValidationTokenHost: cloudfront`: CloudFront requests an ACM certificate for the tenant and serves the HTTP validation token itself once the domain points at CloudFront; `self-hosted` would leave serving the token to the owner.',
    source: `${CFN}/aws-properties-cloudfront-distributiontenant-managedcertificaterequest.html`,
  },
  {
    fact: "`GetDistributionTenant` and `GetManagedCertificateDetails` take the tenant's ARN, id or name as `Identifier`, so the platform finds a domain's tenant by its deterministic name without storing its id.",
    source: `${API}/API_GetDistributionTenant.html; ${API}/API_GetManagedCertificateDetails.html`,
  },
  {
    fact: 'Certificate states: `pending-validation | issued | inactive | expired | validation-timed-out | revoked | failed`.',
    source: `${API}/API_ManagedCertificateDetails.html`,
  },
  {
    fact: '`DeleteDistributionTenant` refuses an enabled tenant (`ResourceNotDisabled`) and needs the ETag of the latest `GetDistributionTenant` as `If-Match`; a tenant is disabled with `UpdateDistributionTenant` (only `Id` and `IfMatch` required).',
    source: `${API}/API_DeleteDistributionTenant.html; ${API}/API_UpdateDistributionTenant.html`,
  },
  {
    fact: '`CreateDistributionTenant` answers `EntityAlreadyExists` for an existing name (taken as success) and `CNAMEAlreadyExists` when another distribution or tenant holds the domain (logged, retried at the next release).',
    source: `${API}/API_CreateDistributionTenant.html (Errors)`,
  },
  {
    fact: 'IAM actions: `cloudfront:CreateDistributionTenant`, `GetDistributionTenant`, `UpdateDistributionTenant`, `DeleteDistributionTenant`, `GetManagedCertificateDetails`; tenant ARNs are `arn:aws:cloudfront::{account}:distribution-tenant/{id}`.',
    source: `${SAR}/list_amazoncloudfront.html`,
  },
  {
    fact: "`cloudfront:GetManagedCertificateDetails` (access level Read) is authorized on the `distribution-tenant` resource type alone (condition keys: `aws:ResourceTag` only): the API, which shows each domain's certificate state, holds this one action on `distribution-tenant/*` and no tenant-changing action.",
    source: `${SAR}/list_amazoncloudfront.html (Actions: GetManagedCertificateDetails)`,
  },
  {
    fact: 'Which resource types each tenant action is authorized on (tenant, distribution, connection group) and whether `CreateDistributionTenant` with a managed certificate also needs ACM actions of the caller: the role is granted the three ARNs and no ACM action (public policies disagree: some list `acm:RequestCertificate`/`acm:DescribeCertificate`, others say CloudFront owns the certificate); an AccessDenied in the release log names a missing one.',
    source: `${SAR}/list_amazoncloudfront.html`,
    open: true,
  },
  {
    fact: 'Quotas to plan with (check in Service Quotas): distribution tenants per account (10,000 by default, adjustable), domains per tenant (5: the platform uses one tenant per domain), alternate domain names per standard distribution (100).',
    source: `${GUIDE}/cloudfront-limits.html#limits-template`,
    open: true,
  },
];
