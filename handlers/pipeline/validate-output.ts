import { platformNames } from '../lib/config.js';
import { getObjectBuffer } from '../lib/s3-objects.js';
import { validateBundle } from './bundle/validate-bundle.js';
import { openState, requireDeploymentId } from './state.js';
import { instrumented } from '../lib/observability.js';
import { DEFAULT_PIPELINE_LIMITS } from '../lib/limits.js';
import { checkSubscriptionLimits } from './bundle/subscription-limits.js';

export function bundleKey(buildId: string): string {
  return `builds/${buildId}/bundle.tar.gz`;
}

/**
 * Checks what the (untrusted) build wrote before anything of it is served: layout, entry types,
 * paths, sizes and the manifest. The digest lets promote refuse a bundle swapped afterwards.
 */
async function validateOutput(
  event: unknown,
): Promise<{ files: number; bytes: number; sha256: string; prerenderedRoutes: number; staticFiles: number }> {
  const { state, claims } = await openState(event, 'build-deploy');
  const buildId = requireDeploymentId(state);
  const archive = await getObjectBuffer(platformNames().buildBucket, bundleKey(buildId)).catch((error: Error) => {
    throw Object.assign(new Error(`build output ${bundleKey(buildId)} is missing: ${error.name}`), { name: 'InvalidBuildOutput' });
  });
  const result = await validateBundle(archive);
  // Only the signed claim says which limits apply; nothing else in the state is trusted for it.
  checkSubscriptionLimits(result, claims.limits ?? DEFAULT_PIPELINE_LIMITS);
  return {
    files: result.files,
    bytes: result.bytes,
    sha256: result.sha256,
    prerenderedRoutes: Object.keys(result.manifest.prerendered).length,
    staticFiles: Object.keys(result.manifest.static).length,
  };
}

export const handler = instrumented('validate-output', validateOutput);
