import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestProject } from 'vitest/node';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Kept between runs, like the platform's own cache: its file is named by a digest of the dist/
 * modules the workflows are made of and of the CDK version, so a changed build synthesizes again.
 */
const PLATFORM_SYNTH_CACHE = join(ROOT, 'node_modules', '.cache', 'slipway-test', 'platform-synth');

/**
 * The e2e files start `slipway up` from dist/ in fresh homes: the workflows are synthesized (or
 * found) here once, as a first `slipway up` would, and each home is seeded with them.
 */
export default async function setup(project: TestProject): Promise<void> {
  const module = join(ROOT, 'dist', 'infra', 'local', 'engine', 'synthesized-workflows.js');
  if (!existsSync(module)) throw new Error('dist/ is missing: run `npm run build` before the e2e tests (`npm test` does)');
  const { synthesizeWorkflowsCached } = (await import(pathToFileURL(module).href)) as {
    synthesizeWorkflowsCached: (cacheDir: string) => Promise<unknown>;
  };
  await synthesizeWorkflowsCached(PLATFORM_SYNTH_CACHE);
  project.provide('platformSynthCacheDir', PLATFORM_SYNTH_CACHE);
}
