import {
  CloudFrontClient,
  CreateDistributionTenantCommand,
  DeleteDistributionTenantCommand,
  GetDistributionTenantCommand,
  UpdateDistributionTenantCommand,
  type DistributionTenant,
} from '@aws-sdk/client-cloudfront';
import type { CertificateStatus, CustomDomainCertificates } from '../types.js';
import { managedCertificateStatus } from './cloudfront-states.js';
import { tenantName } from './tenant-name.js';

export { tenantName } from './tenant-name.js';

/** Where the tenants go: CDK gives both ids to the functions that call this (infra/aws/runtime). */
export interface CloudFrontTenantsConfig {
  /** The multi-tenant (`ConnectionMode: tenant-only`) distribution every custom domain is a tenant of. */
  distributionId: string;
  /** The connection group whose routing endpoint customers point their CNAME at. */
  connectionGroupId: string;
  /** What every tenant's name starts with (the stage's prefix), so two stages never share a tenant. */
  namePrefix: string;
  /** How long `remove` waits for a disabled tenant to deploy before it deletes it (default 90 s). */
  disableWaitMs?: number;
  /** How often it looks meanwhile (default 5 s). */
  pollMs?: number;
  /** Waits `ms`; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

const errorName = (error: unknown) => (error as { name?: string }).name;

/**
 * CustomDomainCertificates on AWS: one distribution tenant per custom domain on the multi-tenant
 * distribution, with a CloudFront-managed certificate validated over HTTP by CloudFront itself
 * (`ValidationTokenHost: cloudfront`) once the domain's CNAME points at the connection group.
 * A tenant serves only while enabled; AWS deletes only a disabled one (DeleteDistributionTenant),
 * with the ETag GetDistributionTenant returned.
 */
export class CloudFrontTenantCertificates implements CustomDomainCertificates {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly config: CloudFrontTenantsConfig,
    private readonly client: CloudFrontClient = new CloudFrontClient({}),
  ) {
    this.sleep = config.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async add(domain: string): Promise<void> {
    const name = tenantName(this.config.namePrefix, domain);
    try {
      await this.client.send(
        new CreateDistributionTenantCommand({
          DistributionId: this.config.distributionId,
          ConnectionGroupId: this.config.connectionGroupId,
          Name: name,
          Domains: [{ Domain: domain }],
          Enabled: true,
          ManagedCertificateRequest: { ValidationTokenHost: 'cloudfront' },
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'EntityAlreadyExists') throw error;
      // Made by an earlier release, or disabled by a removal that has not deleted it yet: enable it again.
      const existing = await this.get(name);
      if (existing?.tenant.Enabled === false) await this.setEnabled(existing, true);
    }
  }

  async remove(domain: string): Promise<'removed' | 'disabling'> {
    const name = tenantName(this.config.namePrefix, domain);
    let existing = await this.get(name);
    if (!existing) return 'removed';
    if (existing.tenant.Enabled !== false) existing = await this.setEnabled(existing, false);
    // A disabled tenant can be deleted once the change is deployed; wait for that a little while.
    const deadline = (this.config.disableWaitMs ?? 90_000) / (this.config.pollMs ?? 5_000);
    for (let polls = 0; existing.tenant.Status !== 'Deployed'; polls++) {
      if (polls >= deadline) return 'disabling';
      await this.sleep(this.config.pollMs ?? 5_000);
      const current = await this.get(name);
      if (!current) return 'removed';
      existing = current;
    }
    try {
      await this.client.send(new DeleteDistributionTenantCommand({ Id: existing.tenant.Id, IfMatch: existing.etag }));
    } catch (error) {
      if (errorName(error) === 'EntityNotFound') return 'removed';
      // Changed meanwhile (PreconditionFailed) or not yet deletable: the next removal retries.
      if (errorName(error) === 'ResourceNotDisabled' || errorName(error) === 'PreconditionFailed') return 'disabling';
      throw error;
    }
    return 'removed';
  }

  status(domain: string): Promise<CertificateStatus> {
    return managedCertificateStatus(this.client, this.config.namePrefix, domain);
  }

  /** The tenant by name with its ETag; undefined when there is none. */
  private async get(name: string): Promise<{ tenant: DistributionTenant; etag: string } | undefined> {
    try {
      const answer = await this.client.send(new GetDistributionTenantCommand({ Identifier: name }));
      if (!answer.DistributionTenant?.Id || !answer.ETag)
        throw new Error(`GetDistributionTenant ${name}: no tenant id or ETag in the answer`);
      return { tenant: answer.DistributionTenant, etag: answer.ETag };
    } catch (error) {
      if (errorName(error) === 'EntityNotFound') return undefined;
      throw error;
    }
  }

  /** Enables or disables the tenant: the tenant as the update left it (deploying), and its new ETag. */
  private async setEnabled(
    existing: { tenant: DistributionTenant; etag: string },
    enabled: boolean,
  ): Promise<{ tenant: DistributionTenant; etag: string }> {
    const answer = await this.client.send(
      new UpdateDistributionTenantCommand({ Id: existing.tenant.Id, IfMatch: existing.etag, Enabled: enabled }),
    );
    return {
      tenant: answer.DistributionTenant ?? { ...existing.tenant, Enabled: enabled, Status: 'InProgress' },
      etag: answer.ETag ?? existing.etag,
    };
  }
}
