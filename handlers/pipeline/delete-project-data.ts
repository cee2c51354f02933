import { platformNames } from '../lib/config.js';
import * as v from 'valibot';
import { routeCache } from '../lib/bindings/bound.js';
import { domainKey, liveKey, previewKey, routeEntriesFor } from '../lib/route-cache-keys.js';
import { releaseDomainClaim } from '../lib/project-settings/store.js';
import { deletePrefix, getObjectBuffer } from '../lib/s3-objects.js';
import { BundleManifest } from './bundle/validate-bundle.js';
import { deploymentPrefix, openState } from './state.js';
import { instrumented } from '../lib/observability.js';
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
  // Custom domains: the edge entry, then the global claim, so the host can be used by another project.
  for (const item of items) {
    const domain = domainOf(item.sk);
    if (domain === undefined) continue;
    await cache.deleteMany([domainKey(domain)]);
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
