import { platformNames } from '../lib/config.js';
import { getObjectBuffer } from '../lib/s3-objects.js';
import { validateBundle } from './bundle/validate-bundle.js';
import { openState, requireDeploymentId } from './state.js';
import { instrumented } from '../lib/observability.js';
import { DEFAULT_PIPELINE_LIMITS } from '../lib/limits.js';
import { checkSubscriptionLimits } from './bundle/subscription-limits.js';
import { checkAwsLimits, routeCacheBudget } from './bundle/aws-preflight.js';
import { currentPlatform } from '../lib/bindings/platform.js';
import { assetsOriginWarnings } from './bundle/assets-origin.js';
import { buildLogAppender } from '../lib/build-log-append.js';
import { s3Client } from '../lib/clients.js';

import { buildBundleKey as bundleKey } from '../lib/names.js';

export { bundleKey };

/**
 * Checks what the (untrusted) build wrote before anything of it is served: layout, entry types,
 * paths, sizes and the manifest. The digest lets promote refuse a bundle swapped afterwards.
 */
async function validateOutput(
  event: unknown,
): Promise<{ files: number; bytes: number; sha256: string; prerenderedRoutes: number; staticFiles: number; warnings: number }> {
  const { state, claims } = await openState(event, 'build-deploy');
  const buildId = requireDeploymentId(state);
  const archive = await getObjectBuffer(platformNames().buildBucket, bundleKey(buildId)).catch((error: Error) => {
    throw Object.assign(new Error(`build output ${bundleKey(buildId)} is missing: ${error.name}`), { name: 'InvalidBuildOutput' });
  });
  const result = await validateBundle(archive);
  // Only the signed claim says which limits apply; nothing else in the state is trusted for it.
  checkSubscriptionLimits(result, claims.limits ?? DEFAULT_PIPELINE_LIMITS);
  // The same on both back ends: what AWS would refuse fails now, what it would degrade is said in the build log.
  const budget = routeCacheBudget(currentPlatform().routeCacheProjects);
  const warnings = [...checkAwsLimits(result, buildId, budget), ...assetsOriginWarnings(result.manifest)];
  if (warnings.length > 0) {
    // One chunk for all of them: each append lists the log to find the next chunk number.
    const lines = warnings.map((warning) => `slipway: warning: ${warning}`).join('\n');
    await buildLogAppender(s3Client(), platformNames().buildBucket)(buildId, lines);
  }
  return {
    files: result.files,
    bytes: result.bytes,
    sha256: result.sha256,
    prerenderedRoutes: Object.keys(result.manifest.prerendered).length,
    staticFiles: Object.keys(result.manifest.static).length,
    warnings: warnings.length,
  };
}

export const handler = instrumented('validate-output', validateOutput);
