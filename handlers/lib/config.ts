import { bound } from './bindings/platform.js';
import type { PlatformNames } from './bindings/types.js';

export type { PlatformNames } from './bindings/types.js';

/** Names of the current platform's storage. */
export function platformNames(): PlatformNames {
  return bound('names', 'no storage names are bound: the entry point must bind the platform first');
}

export const DEFAULT_NAMES: PlatformNames = {
  sourceBucket: 'slipway-sources',
  buildBucket: 'slipway-builds',
  projectBucket: 'slipway-projects',
  table: 'slipway-platform',
};
