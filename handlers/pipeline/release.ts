import * as v from 'valibot';
import { platformNames } from '../lib/config.js';
import { customDomainCertificates, routeCache } from '../lib/bindings/bound.js';
import { domainKey, routeEntriesFor, liveKey, pointerValue } from '../lib/route-cache-keys.js';
import { listDomains, verifyDomain } from '../lib/project-settings/store.js';
import { getDomainClaimHolder } from '../lib/table/domains.js';
import { getObjectBuffer } from '../lib/s3-objects.js';
import { BundleManifest } from './bundle/validate-bundle.js';
import { deploymentPrefix, openState, requireDeploymentId } from './state.js';
import { instrumented, logger } from '../lib/observability.js';
import { releasePreview } from '../previews/release-preview.js';
import { deploymentQualifier } from './deployment-version.js';
import { carryIntoRollbackTarget } from './carry-immutable.js';
import { getRoutedDomains, moveProjectLive, setRollbackTargets, setRoutedDomains } from '../lib/table/projects.js';
import { claimPointerRequest, stackTurnHolder } from '../lib/table/stack-turn.js';
import { getDeploymentFunctionVersion, setDeploymentFunctionVersion, setDeploymentRouteCache } from '../lib/table/deployments.js';
import type { RouteCache } from '../lib/bindings/types.js';
import { nextRollbackTargets, pruneRouteCache } from './route-cache-lifecycle.js';
import { routeCacheBudget } from './bundle/aws-preflight.js';
import { currentPlatform } from '../lib/bindings/platform.js';

/** When the request this release is for was made: the execution's start (absent in executions started before it was passed). */
const ReleaseInput = v.looseObject({ requestedAt: v.optional(v.pipe(v.string(), v.isoTimestamp())) });

/**
 * Makes a promoted deployment live: its routes go into the route cache first (harmless, nothing
 * points at them), then the project's live pointer moves — in DynamoDB, then in the route cache
 * the edge reads, to `{deploymentId}@{version}`. Until that last write the previous version serves
 * every request: the router invokes the function version the pointer names, never an alias.
 * Build-and-deploy releases a new deployment; rollback releases an earlier one the same way.
 * A preview (`state.preview`, signed into the ticket) goes to its own pointer instead. Once a
 * pointer has moved, the entries of deployments no pointer needs any more are removed
 * (route-cache-lifecycle.ts), so the shared KeyValueStore stays within its 5 MB.
 */
async function release(event: unknown): Promise<{ live: string; previous: string | null; preview?: string; superseded: boolean }> {
  const { state, claims } = await openState(event, ['build-deploy', 'rollback']);
  const deploymentId = requireDeploymentId(state);
  const { requestedAt } = v.parse(ReleaseInput, event);
  // The newer request wins: one made before the request that last moved this pointer moves nothing.
  // Executions hold the project's stack turn here, so no other release runs between this and the writes below.
  if (requestedAt && !(await claimPointerRequest(state.project, state.preview ? `preview:${state.preview}` : 'live', requestedAt))) {
    if (!(await stackTurnHolder(state.project)).exists) throw new Error(`project ${state.project} no longer exists`);
    return { live: deploymentId, previous: null, ...(state.preview ? { preview: state.preview } : {}), superseded: true };
  }
  const names = platformNames();
  const [raw, releasedVersion] = await Promise.all([
    getObjectBuffer(names.projectBucket, `${deploymentPrefix(state.project, deploymentId)}slipway-manifest.json`),
    getDeploymentFunctionVersion(state.project, deploymentId),
    // Recorded before the entries are written, so a release that stops half-way leaves them findable.
    setDeploymentRouteCache(state.project, deploymentId, 'written'),
  ]);
  const manifest = v.parse(BundleManifest, JSON.parse(raw.toString('utf8')));

  // The function version the stack update published for this deployment: the router invokes
  // exactly it, so nothing a request sees changes before a pointer below moves.
  const qualifier = deploymentQualifier(state, releasedVersion);
  // Kept before any pointer names it: a later release of this deployment reuses it when its stack update publishes nothing.
  await setDeploymentFunctionVersion(state.project, deploymentId, qualifier, new Date().toISOString());
  const cache = routeCache();
  if (state.preview) {
    // A preview gets its own host and function version; production's pointer stays where it is.
    await releasePreview(cache, state.project, state.preview, deploymentId, qualifier, routeEntriesFor(deploymentId, manifest));
    await pruneAfterRelease(cache, state.project, deploymentId);
    return { live: deploymentId, previous: null, preview: state.preview, superseded: false };
  }
  await cache.putMany(routeEntriesFor(deploymentId, manifest));
  // Promote carried earlier chunks into a new deployment; a rollback target gets the chunks of
  // the deployments it replaces here, before its pointer moves.
  if (claims.op === 'rollback') await carryIntoRollbackTarget(state.project, deploymentId);
  // Before the pointer moves, so that once a release shows as live its domains are served too.
  await syncDomains(state.project);

  // The app's paths.base goes with it: the project's URL is where its root page answers.
  const moved = await moveProjectLive(state.project, deploymentId, new Date().toISOString(), manifest.basePath || undefined);
  await cache.putMany({ [liveKey(state.project)]: pointerValue(deploymentId, qualifier) });
  await pruneAfterRelease(cache, state.project, deploymentId, moved);
  return { live: deploymentId, previous: moved.previous, superseded: false };
}

/**
 * The deployment is live (or previewed) once its pointer moved: a failed cleanup must not fail it.
 * What stays marked `written` is removed by the project's next release.
 */
async function pruneAfterRelease(
  cache: RouteCache,
  project: string,
  deploymentId: string,
  moved?: { previous: string | null; rollbackTargets?: string[] },
): Promise<void> {
  try {
    // Production: the deployment it replaced becomes the newest rollback target.
    let rollbackTargets = moved?.rollbackTargets;
    let recorded: Promise<void> = Promise.resolve();
    if (moved?.previous && moved.previous !== deploymentId) {
      rollbackTargets = nextRollbackTargets(rollbackTargets ?? [], moved.previous, deploymentId);
      recorded = setRollbackTargets(project, rollbackTargets);
    }
    const { previewBytes } = routeCacheBudget(currentPlatform().routeCacheProjects);
    const [{ pruned, retiredPreviews }] = await Promise.all([
      pruneRouteCache(cache, project, deploymentId, previewBytes, rollbackTargets),
      recorded,
    ]);
    if (pruned.length > 0 || retiredPreviews.length > 0) logger.info('route-cache cleanup', { project, pruned, retiredPreviews });
  } catch (error) {
    logger.error('route-cache cleanup failed; the next release retries it', { project, error: (error as Error).message });
  }
}

/**
 * Custom domains reach the edge at each release: a PENDING domain's TXT record is looked up again
 * (the owner may have published it since), `d:{host}` → project is written for every VERIFIED
 * domain, and the entries of domains removed or not verified since the last release
 * (`routedDomains` on the project) go away. A domain is verified by one project only (its global
 * claim), so an entry never names two projects.
 */
async function syncDomains(project: string): Promise<void> {
  const before = await getRoutedDomains(project);
  const checked = await Promise.all((await listDomains(project)).map(verifyDomain));
  for (const { item, check } of checked) {
    if (!check.proven) logger.info('custom domain not verified yet', { project, domain: item.domain, problem: check.problem });
  }
  const current = checked.filter(({ item }) => item.status === 'VERIFIED').map(({ item }) => item.domain);
  const cache = routeCache();
  if (current.length) await cache.putMany(Object.fromEntries(current.map((domain) => [domainKey(domain), project])));
  // A domain this project let go may be another project's since (verified, routed, with its
  // certificate): its entry and its certificate are then that project's, and stay.
  const gone = before.filter((domain) => !current.includes(domain));
  const holders = await Promise.all(gone.map(getDomainClaimHolder));
  const released = gone.filter((_, index) => holders[index] === undefined || holders[index] === project);
  if (released.length) await cache.deleteMany(released.map(domainKey));
  const unfinished = await syncCertificates(project, current, released);
  // A domain whose certificate is not deleted yet stays listed, so the next release removes it again.
  await setRoutedDomains(project, [...current, ...unfinished]);
}

/**
 * Every verified domain gets its certificate (again: `add` keeps what exists, so a failed earlier
 * attempt heals at the next release), every domain no longer routed loses it. A certificate
 * CloudFront refuses (another account holds the name, a quota) must not keep the app from going
 * live: the failure is logged with the domain and the next release tries again. The domains whose
 * removal did not finish (failed, or disabled but not deletable yet) are returned for that.
 */
async function syncCertificates(project: string, current: string[], gone: string[]): Promise<string[]> {
  const certificates = customDomainCertificates();
  const attempt = async (domain: string, action: 'add' | 'remove', run: () => Promise<unknown>): Promise<boolean> => {
    try {
      if ((await run()) !== 'disabling') return true;
      logger.info('custom domain certificate disabled, not deleted yet; the next release deletes it', { project, domain });
    } catch (error) {
      logger.error('custom domain certificate failed; the next release retries it', {
        project,
        domain,
        action,
        error: (error as Error).name,
        message: (error as Error).message,
      });
    }
    return false;
  };
  const [, removed] = await Promise.all([
    Promise.all(current.map((domain) => attempt(domain, 'add', () => certificates.add(domain)))),
    Promise.all(gone.map((domain) => attempt(domain, 'remove', () => certificates.remove(domain)))),
  ]);
  return gone.filter((_, index) => !removed[index]);
}

export const handler = instrumented('release', release);
