import { type CloudFrontClient, GetManagedCertificateDetailsCommand } from '@aws-sdk/client-cloudfront';
import type { CertificateStatus, CustomDomainCertificates } from '../types.js';
import { tenantName } from './tenant-name.js';

const errorName = (error: unknown) => (error as { name?: string }).name;

/**
 * The state of the managed certificate of `domain`'s distribution tenant (GetManagedCertificateDetails
 * by the tenant's name); `none` when there is no tenant (the next release creates it).
 */
export async function managedCertificateStatus(client: CloudFrontClient, namePrefix: string, domain: string): Promise<CertificateStatus> {
  try {
    const answer = await client.send(new GetManagedCertificateDetailsCommand({ Identifier: tenantName(namePrefix, domain) }));
    return (answer.ManagedCertificateDetails?.CertificateStatus as CertificateStatus | undefined) ?? 'none';
  } catch (error) {
    if (errorName(error) === 'EntityNotFound') return 'none';
    throw error;
  }
}

/**
 * CustomDomainCertificates for a function that only shows certificate states (the API): `status`
 * as on AWS, while `add` and `remove` refuse, since creating and removing tenants is *Release*'s
 * and *Delete project data*'s alone. Its bundle carries no tenant-changing call, so its role
 * needs only `cloudfront:GetManagedCertificateDetails`.
 */
export function cloudFrontCertificateStates(namePrefix: string, client: CloudFrontClient): CustomDomainCertificates {
  const refuse = (what: string) => async (): Promise<never> => {
    throw new Error(`custom domain certificates are read-only here: ${what} is Release's and Delete project data's`);
  };
  return {
    add: refuse('adding a certificate'),
    remove: refuse('removing a certificate'),
    status: (domain) => managedCertificateStatus(client, namePrefix, domain),
  };
}
