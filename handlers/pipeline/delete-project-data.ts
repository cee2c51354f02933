import { platformNames } from '../lib/config.js';
import * as v from 'valibot';
import { customDomainCertificates, routeCache } from '../lib/bindings/bound.js';
import { domainKey, liveKey, previewKey, routeEntriesFor } from '../lib/route-cache-keys.js';
import { releaseDomainClaim } from '../lib/project-settings/store.js';
import { getDomainClaimHolder } from '../lib/table/domains.js';
import { deletePrefix, getObjectBuffer } from '../lib/s3-objects.js';
import { BundleManifest } from './bundle/validate-bundle.js';
import { deploymentPrefix, openState } from './state.js';
import { instrumented, logger } from '../lib/observability.js';
import { deploymentIdOf, domainOf } from '../lib/table/keys.js';
import { deleteItems, queryProjectPartition } from '../lib/table/project-partition.js';

/** Removes everything a project left: route-cache entries first (so nothing serves), then objects, then records. */
async function deleteProjectData(event: unknown): Promise<{ objects: number; records: number }> {
  const { state } = await openState(event, 'delete-project');
  const names = platformNames();
  const items = await queryProjectPartition(state.project);

  const cache = routeCache();
  // The live pointer and every preview pointer first: after this no host of the project serves.
  const aliases = new Set(items.flatMap((item) => (item.preview ? [item.preview] : [])));
  await cache.deleteMany([liveKey(state.project), ...[...aliases].map((alias) => previewKey(state.project, alias))]);
  // Custom domains: the edge entry, the certificate, then the global claim, so the host can be used by another project.
  const certificates = customDomainCertificates();
  for (const item of items) {
    const domain = domainOf(item.sk);
    if (domain === undefined) continue;
    await cache.deleteMany([domainKey(domain)]);
    // The certificate is the domain's, not the project's: only the project holding the claim removes it.
    if ((await getDomainClaimHolder(domain)) === state.project) {
      const certificate = await certificates.remove(domain);
      if (certificate === 'disabling')
        logger.info('custom domain certificate disabled, not deleted yet', { project: state.project, domain });
    }
    await releaseDomainClaim(domain, state.project);
  }
  for (const item of items) {
    const deploymentId = deploymentIdOf(item.sk);
    // A deployment the route-cache cleanup pruned has no entries left.
    if (deploymentId === undefined || item.routeCache === 'pruned') continue;
    // A deployment that never got promoted has no manifest and no route entries.
    const raw = await getObjectBuffer(names.projectBucket, `${deploymentPrefix(state.project, deploymentId)}slipway-manifest.json`).catch(
      () => undefined,
    );
    if (raw) await cache.deleteMany(Object.keys(routeEntriesFor(deploymentId, v.parse(BundleManifest, JSON.parse(raw.toString('utf8'))))));
  }
  const objects = await deletePrefix(names.projectBucket, `${state.project}/`);
  await deleteItems(items);
  return { objects, records: items.length };
}

export const handler = instrumented('delete-project-data', deleteProjectData);
