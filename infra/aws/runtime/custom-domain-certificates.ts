import { CloudFrontTenantCertificates } from '../../../handlers/lib/bindings/custom-domain-certificates/cloudfront-tenants.js';
import type { CustomDomainCertificates } from '../../../handlers/lib/bindings/types.js';
import { parseStage, stagePrefix } from '../../../handlers/lib/stage.js';

/** The variables CDK sets on the functions that create and delete custom domains' tenants (ProjectSystem.customDomainEnvironment). */
export const CUSTOM_DOMAIN_VARIABLES = {
  distributionId: 'SLIPWAY_CUSTOM_DOMAIN_DISTRIBUTION_ID',
  connectionGroupId: 'SLIPWAY_CUSTOM_DOMAIN_CONNECTION_GROUP_ID',
} as const;

/** The AWS CustomDomainCertificates: distribution tenants of the multi-tenant distribution CDK names in the environment. */
export function awsCustomDomainCertificates(env: NodeJS.ProcessEnv = process.env): CustomDomainCertificates {
  const distributionId = env[CUSTOM_DOMAIN_VARIABLES.distributionId];
  const connectionGroupId = env[CUSTOM_DOMAIN_VARIABLES.connectionGroupId];
  if (!distributionId || !connectionGroupId)
    throw new Error(
      `no custom-domain distribution is configured (${CUSTOM_DOMAIN_VARIABLES.distributionId}, ${CUSTOM_DOMAIN_VARIABLES.connectionGroupId})`,
    );
  return new CloudFrontTenantCertificates({
    distributionId,
    connectionGroupId,
    namePrefix: stagePrefix(parseStage(env.SLIPWAY_STAGE, 'SLIPWAY_STAGE')),
  });
}
