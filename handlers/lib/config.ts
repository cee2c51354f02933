import { bound, currentPlatform } from './bindings/platform.js';
import { DEFAULT_STAGE } from './stage.js';
import type { PlatformNames } from './bindings/types.js';

export type { PlatformNames } from './bindings/types.js';

/** Names of the current platform's storage. */
export function platformNames(): PlatformNames {
  return bound('names', 'no storage names are bound: the entry point must bind the platform first');
}

/** The current platform's stage (handlers/lib/stage.ts): the default one unless its entry point bound another. */
export function platformStage(): string {
  return currentPlatform().stage ?? DEFAULT_STAGE;
}

export const DEFAULT_NAMES: PlatformNames = {
  sourceBucket: 'slipway-sources',
  buildBucket: 'slipway-builds',
  projectBucket: 'slipway-projects',
  table: 'slipway-platform',
};
