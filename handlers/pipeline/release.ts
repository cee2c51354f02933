import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../lib/clients.js';
import { platformNames } from '../lib/config.js';
import { routeCache } from '../lib/bindings/bound.js';
import { domainKey, routeEntriesFor, liveKey } from '../lib/route-cache-keys.js';
import { listDomains } from '../lib/project-settings/store.js';
import { getObjectBuffer } from '../lib/s3-objects.js';
import { BundleManifest } from './bundle/validate-bundle.js';
import { deploymentPrefix, openState, requireDeploymentId } from './state.js';
import { instrumented } from '../lib/observability.js';
import { previewQualifier, releasePreview } from '../previews/release-preview.js';
import { projectKey } from '../lib/table/keys.js';

/**
 * Makes a promoted deployment live: its routes go into the route cache first (harmless, nothing
 * points at them), then the project's live pointer moves — in DynamoDB, then in the route cache
 * the edge reads. Until that last write the previous version serves every request.
 * Build-and-deploy releases a new deployment; rollback releases an earlier one the same way.
 * A preview (`state.preview`, signed into the ticket) goes to its own pointer instead.
 */
async function release(event: unknown): Promise<{ live: string; previous: string | null; preview?: string }> {
  const { state } = await openState(event, ['build-deploy', 'rollback']);
  const deploymentId = requireDeploymentId(state);
  const names = platformNames();
  const raw = await getObjectBuffer(names.projectBucket, `${deploymentPrefix(state.project, deploymentId)}slipway-manifest.json`);
  const manifest = v.parse(BundleManifest, JSON.parse(raw.toString('utf8')));

  const cache = routeCache();
  if (state.preview) {
    // A preview gets its own host and function version; production's pointer stays where it is.
    await releasePreview(
      cache,
      state.project,
      state.preview,
      deploymentId,
      previewQualifier(state),
      routeEntriesFor(deploymentId, manifest),
    );
    return { live: deploymentId, previous: null, preview: state.preview };
  }
  await cache.putMany(routeEntriesFor(deploymentId, manifest));
  // Before the pointer moves, so that once a release shows as live its domains are served too.
  await syncDomains(state.project);

  const updated = await dynamoClient().send(
    new UpdateCommand({
      TableName: names.table,
      Key: projectKey(state.project),
      // The app's paths.base goes with it: the project's URL is where its root page answers.
      UpdateExpression: manifest.basePath
        ? 'SET liveDeploymentId = :id, liveAt = :at, liveBasePath = :base'
        : 'SET liveDeploymentId = :id, liveAt = :at REMOVE liveBasePath',
      ConditionExpression: 'attribute_exists(pk) AND #status <> :deleting',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':id': deploymentId,
        ':at': new Date().toISOString(),
        ':deleting': 'DELETING',
        ...(manifest.basePath ? { ':base': manifest.basePath } : {}),
      },
      ReturnValues: 'UPDATED_OLD',
    }),
  );
  await cache.putMany({ [liveKey(state.project)]: deploymentId });
  const previous = updated.Attributes?.liveDeploymentId;
  return { live: deploymentId, previous: typeof previous === 'string' ? previous : null };
}

/**
 * Custom domains reach the edge at each release: `d:{host}` → project for every domain the project
 * holds now, and the entries of domains removed since the last release (`routedDomains` on the
 * project) go away. Domains are claimed uniquely by the API, so an entry never names two projects.
 */
async function syncDomains(project: string): Promise<void> {
  const { Item } = await dynamoClient().send(
    new GetCommand({
      TableName: platformNames().table,
      Key: projectKey(project),
      ProjectionExpression: 'routedDomains',
      ConsistentRead: true,
    }),
  );
  const previouslyRouted: unknown = Item?.routedDomains;
  const current = (await listDomains(project)).map((d) => d.domain);
  const before = Array.isArray(previouslyRouted) ? previouslyRouted.filter((d): d is string => typeof d === 'string') : [];
  const cache = routeCache();
  if (current.length) await cache.putMany(Object.fromEntries(current.map((domain) => [domainKey(domain), project])));
  const gone = before.filter((domain) => !current.includes(domain));
  if (gone.length) await cache.deleteMany(gone.map(domainKey));
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: projectKey(project),
      UpdateExpression: 'SET routedDomains = :domains',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':domains': current },
    }),
  );
}

export const handler = instrumented('release', release);
