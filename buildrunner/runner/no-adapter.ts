import { join } from 'node:path';
import { exists } from './package-manager.js';

/** SvelteKit 2 reads its adapter from here. */
const SVELTE_CONFIGS = ['svelte.config.js', 'svelte.config.ts', 'svelte.config.mjs', 'svelte.config.cjs'];
/** SvelteKit 3 (and what `sv create` scaffolds today) passes it to the sveltekit() Vite plugin instead (sveltejs/kit#15837). */
const VITE_CONFIGS = ['vite.config.ts', 'vite.config.js', 'vite.config.mts', 'vite.config.mjs', 'vite.config.cts', 'vite.config.cjs'];

/**
 * Why a build wrote no Slipway output, asked about the config file the app has: Slipway stands in
 * for whichever adapter the app names, so the one cause is that it names none.
 */
export async function noAdapterMessage(appDir: string): Promise<string> {
  const start = "the app's build produced no Slipway output";
  for (const file of SVELTE_CONFIGS) {
    if (await exists(join(appDir, file))) return `${start}: does ${file} name an adapter (kit.adapter)?`;
  }
  for (const file of VITE_CONFIGS) {
    if (await exists(join(appDir, file)))
      return `${start}: does ${file} pass an adapter to sveltekit() (sveltekit({ adapter: adapter() }))?`;
  }
  return `${start}: the app has no vite.config or svelte.config file, so no SvelteKit adapter ran; is it a SvelteKit app?`;
}
