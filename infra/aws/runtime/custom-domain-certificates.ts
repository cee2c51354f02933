import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudFrontTenantCertificates } from '../../../handlers/lib/bindings/custom-domain-certificates/cloudfront-tenants.js';
import { cloudFrontCertificateStates } from '../../../handlers/lib/bindings/custom-domain-certificates/cloudfront-states.js';
import { noCertificates } from '../../../handlers/lib/bindings/custom-domain-certificates/none.js';
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

/**
 * The certificate states the API shows: CloudFront's managed certificates of the stage's tenants
 * when CDK names a custom-domain distribution; without one no domain has a certificate, so every
 * state is `none` (what Release makes then: nothing).
 */
export function awsCustomDomainCertificateStates(env: NodeJS.ProcessEnv = process.env): CustomDomainCertificates {
  if (!env[CUSTOM_DOMAIN_VARIABLES.distributionId]) return noCertificates;
  return cloudFrontCertificateStates(stagePrefix(parseStage(env.SLIPWAY_STAGE, 'SLIPWAY_STAGE')), new CloudFrontClient({}));
}
