import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A cache folder holding the workflows as the built platform (dist/) synthesizes them; unset outside the e2e project. */
    platformSynthCacheDir: string | undefined;
  }
}

/**
 * Gives a fresh platform home the synthesized workflows its first `slipway up` would otherwise
 * synthesize (seconds of CPU per home, in every e2e file; test/support/e2e-global-setup.ts
 * prepares them once). What a cached start reads is tested in test/local/engine/synthesis-cache.test.ts.
 */
export function seedPlatformHome(home: string): void {
  const cacheDir = inject('platformSynthCacheDir');
  if (cacheDir && existsSync(cacheDir)) cpSync(cacheDir, join(home, 'cache'), { recursive: true });
}
