import * as v from 'valibot';
import type { RouteCache } from '../lib/bindings/types.js';
import { platformNames } from '../lib/config.js';
import { logger } from '../lib/observability.js';
import { liveKey, parsePointer, previewKey, routeEntriesFor } from '../lib/route-cache-keys.js';
import { getObjectBuffer, isMissingObject } from '../lib/s3-objects.js';
import {
  CANCELLABLE_STATUSES,
  type DeploymentRouteState,
  queryDeploymentRouteStates,
  setDeploymentRouteCache,
} from '../lib/table/deployments.js';
import { getRollbackTargets } from '../lib/table/projects.js';
import { ROUTE_CACHE_ROLLBACK_TARGETS, routeCacheBytes } from './bundle/aws-preflight.js';
import { BundleManifest } from './bundle/validate-bundle.js';
import { deploymentPrefix } from './state.js';

/** A preview alias, the deployment its pointer names and the bytes its pointer and that deployment's entries take. */
export interface PreviewTarget {
  alias: string;
  deploymentId: string;
  bytes: number;
}

/**
 * What the edge reads now (the live deployment, each preview alias's), and the production
 * deployments live before the current one, most recent first (undefined for a project whose
 * releases predate that list).
 */
export interface PointerTargets {
  live?: string;
  previews: PreviewTarget[];
  rollbackTargets?: string[];
}

/**
 * The previews whose pointers stay: the most recently deployed (deployment ids sort by creation
 * time), the one being released first, as long as their entries fit `previewBytes` (the previews'
 * part, RouteCacheBudget.previewBytes) together. The others are retired: pointer and entries go,
 * and the alias answers again with its next deployment. Validate output holds each deployment to
 * RouteCacheBudget.deploymentBytes, which is no more than the previews' part, so the preview being
 * released always stays.
 */
export function previewsToKeep(
  previews: PreviewTarget[],
  released: string,
  previewBytes: number,
): { keep: PreviewTarget[]; retire: PreviewTarget[] } {
  const ordered = [...previews].sort((a, b) =>
    a.deploymentId === released ? -1 : b.deploymentId === released ? 1 : b.deploymentId.localeCompare(a.deploymentId),
  );
  const keep: PreviewTarget[] = [];
  const retire: PreviewTarget[] = [];
  let bytes = 0;
  for (const preview of ordered) {
    const fits = preview.deploymentId === released || bytes + preview.bytes <= previewBytes;
    if (fits && retire.length === 0) {
      keep.push(preview);
      bytes += preview.bytes;
    } else retire.push(preview);
  }
  return { keep, retire };
}

/**
 * The deployments of a project whose route entries stay (docs/ARCHITECTURE.md, "Route cache"):
 * the live one, the kept previews' targets, the deployment being released, and the last
 * ROUTE_CACHE_ROLLBACK_TARGETS production deployments live before the current one (a rollback to
 * one of them, or an edge location that has not seen the pointer move yet, finds its entries).
 * Without that list, the newest other production deployments that went live stand in.
 * `deployments` is newest first.
 */
export function deploymentsToKeep(deployments: DeploymentRouteState[], targets: PointerTargets, released: string): Set<string> {
  const keep = new Set([released, ...targets.previews.map((p) => p.deploymentId)]);
  if (targets.live) keep.add(targets.live);
  const rollbackTargets =
    targets.rollbackTargets ??
    deployments.filter((d) => d.preview === undefined && d.status === 'LIVE' && d.id !== targets.live).map((d) => d.id);
  for (const id of rollbackTargets.slice(0, ROUTE_CACHE_ROLLBACK_TARGETS)) keep.add(id);
  return keep;
}

/** The rollback targets after `live` replaced `previous` in production: `previous` first, the list bounded. */
export function nextRollbackTargets(before: string[], previous: string, live: string): string[] {
  return [previous, ...before.filter((id) => id !== previous && id !== live)].slice(0, ROUTE_CACHE_ROLLBACK_TARGETS);
}

/**
 * The deployments whose entries go: written (or went live before the flag existed) and not pruned
 * yet, not kept, and not under way — a deployment still QUEUED or BUILDING may be another
 * execution's release writing its entries right now.
 */
export function deploymentsToPrune(deployments: DeploymentRouteState[], keep: Set<string>): DeploymentRouteState[] {
  const running: readonly string[] = CANCELLABLE_STATUSES;
  return deployments.filter(
    (d) =>
      !keep.has(d.id) &&
      !running.includes(d.status ?? '') &&
      (d.routeCache === 'written' || (d.routeCache === undefined && d.status === 'LIVE')),
  );
}

/**
 * The deployments the project's pointers name, read where the edge reads them (all at once), and
 * its rollback targets unless the caller knows them.
 */
async function pointerTargets(
  cache: RouteCache,
  project: string,
  deployments: DeploymentRouteState[],
  knownRollbackTargets: string[] | undefined,
): Promise<PointerTargets> {
  // An alias whose deployments are all pruned has no pointer (retired, or never released): not read.
  const aliases = [...new Set(deployments.flatMap((d) => (d.preview === undefined || d.routeCache === 'pruned' ? [] : [d.preview])))];
  const previewOf = async (alias: string): Promise<PreviewTarget | undefined> => {
    const key = previewKey(project, alias);
    const pointer = await cache.get(key);
    if (pointer === undefined) return undefined;
    const deploymentId = parsePointer(pointer).deploymentId;
    // The pointer counts too, so a preview without entries still takes its place in the budget.
    const entries = { ...(await routeEntriesOf(project, deploymentId)), [key]: pointer };
    return { alias, deploymentId, bytes: routeCacheBytes(entries) };
  };
  const [live, rollbackTargets, previews] = await Promise.all([
    cache.get(liveKey(project)),
    knownRollbackTargets ?? getRollbackTargets(project),
    Promise.all(aliases.map(previewOf)),
  ]);
  return {
    ...(live === undefined ? {} : { live: parsePointer(live).deploymentId }),
    previews: previews.filter((p) => p !== undefined),
    ...(rollbackTargets ? { rollbackTargets } : {}),
  };
}

/**
 * Removes the route entries of a project's deployments that no pointer needs any more, after
 * `released` went live (or became a preview); retires the oldest previews beyond the project's
 * preview budget (`previewBytes`, from the platform's routeCacheProjects setting) (pointer first, so no host serves half an entry set). Each pruned deployment is marked `pruned`
 * once its keys are deleted; a run that stops half-way is finished by the next release (deleting
 * a key twice is harmless on both back ends).
 */
export async function pruneRouteCache(
  cache: RouteCache,
  project: string,
  released: string,
  previewBytes: number,
  rollbackTargets?: string[],
): Promise<{ pruned: string[]; retiredPreviews: string[] }> {
  const deployments = await queryDeploymentRouteStates(project);
  const targets = await pointerTargets(cache, project, deployments, rollbackTargets);
  const previews = previewsToKeep(targets.previews, released, previewBytes);
  // Pointers first: no host may name a deployment whose entries are going.
  if (previews.retire.length > 0) await cache.deleteMany(previews.retire.map((p) => previewKey(project, p.alias)));
  const keep = deploymentsToKeep(deployments, { ...targets, previews: previews.keep }, released);
  const prune = deploymentsToPrune(deployments, keep);
  if (prune.length === 0) return { pruned: [], retiredPreviews: previews.retire.map((p) => p.alias) };
  const entries = await Promise.all(prune.map((d) => routeEntriesOf(project, d.id)));
  const keys = entries.flatMap((e) => Object.keys(e ?? {}));
  if (keys.length > 0) await cache.deleteMany(keys);
  await Promise.all(prune.map((d) => setDeploymentRouteCache(project, d.id, 'pruned')));
  return { pruned: prune.map((d) => d.id), retiredPreviews: previews.retire.map((p) => p.alias) };
}

/** The entries Release writes for a deployment, from its promoted manifest (undefined when it has none). */
async function routeEntriesOf(project: string, deploymentId: string): Promise<Record<string, string> | undefined> {
  const manifestKey = `${deploymentPrefix(project, deploymentId)}slipway-manifest.json`;
  let raw: Buffer;
  try {
    raw = await getObjectBuffer(platformNames().projectBucket, manifestKey);
  } catch (error) {
    if (!isMissingObject(error)) throw error;
    logger.warn('route-cache cleanup: a deployment without a promoted manifest', { project, deploymentId });
    return undefined;
  }
  return routeEntriesFor(deploymentId, v.parse(BundleManifest, JSON.parse(raw.toString('utf8'))));
}
