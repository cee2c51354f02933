import { pointerValue, previewKey } from '../lib/route-cache-keys.js';
import type { RouteCache } from '../lib/bindings/types.js';
import { setProjectLastPreviewAt } from '../lib/table/projects.js';

/**
 * Releases a deployment as the preview `alias`: its routes, then the pointer `p:{project}--{alias}`
 * (replacing the alias's previous deployment). The project's live pointer — in DynamoDB and in
 * the route cache — is never touched, so production keeps serving. The project record only gets
 * `lastPreviewAt`, written under the same condition as a live release (the project exists and is
 * not being deleted), so a preview cannot resurrect keys after a delete has started.
 */
export async function releasePreview(
  cache: RouteCache,
  project: string,
  alias: string,
  deploymentId: string,
  qualifier: string,
  routes: Record<string, string>,
): Promise<void> {
  await cache.putMany(routes);
  await setProjectLastPreviewAt(project, new Date().toISOString());
  await cache.putMany({ [previewKey(project, alias)]: pointerValue(deploymentId, qualifier) });
}
