import type { PipelineLimits } from '../../lib/limits.js';
import type { ValidatedBundle } from './validate-bundle.js';

/** A bundle over one of the subscription's limits; the deployment fails, what is live stays. */
export class LimitExceededError extends Error {
  override name = 'LimitExceeded';
}

/**
 * Checks a validated bundle against the limits signed into the ticket: the number of prerendered
 * routes and the bytes of each area. The message names the limit and its value.
 */
export function checkSubscriptionLimits(bundle: ValidatedBundle, limits: PipelineLimits): void {
  const routes = Object.keys(bundle.manifest.prerendered).length;
  if (routes > limits.prerenderedRoutesPerDeployment) {
    throw new LimitExceededError(
      `limit prerenderedRoutesPerDeployment is ${limits.prerenderedRoutesPerDeployment}; the build output has ${routes} prerendered routes`,
    );
  }
  const areas = [
    ['client', 'clientStorageBytes'],
    ['prerendered', 'prerenderedStorageBytes'],
    ['server', 'serverStorageBytes'],
  ] as const;
  for (const [area, limit] of areas) {
    if (bundle.areaBytes[area] > limits[limit]) {
      throw new LimitExceededError(
        `limit ${limit} is ${limits[limit]}; the build output has ${bundle.areaBytes[area]} bytes under ${area}/`,
      );
    }
  }
}
