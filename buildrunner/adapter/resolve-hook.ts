/**
 * Module resolve hook (registered by register.ts) that makes every SvelteKit adapter an app imports
 * resolve to Slipway's adapter, whether imported from svelte.config.js or a Vite config, by bare
 * name or (as Vite's config bundler does) by the resolved file URL inside node_modules.
 */

/** The compiled adapter, next to this hook in dist/buildrunner/adapter/. */
export const ADAPTER_URL = new URL('./index.js', import.meta.url).href;

const PACKAGE = String.raw`(?:@sveltejs/adapter-[^/]+|svelte-adapter-[^/]+|sveltekit-adapter-[^/]+|@[^/]+/svelte-adapter-[^/]+|@[^/]+/sveltekit-adapter-[^/]+)`;
const BARE = new RegExp(`^${PACKAGE}$`);
/** A file inside an installed adapter package (its entry point, once resolved). */
const INSTALLED = new RegExp(`/node_modules/${PACKAGE}/`);

/** True when `specifier` (bare name, path or URL) names a SvelteKit adapter package. */
export function isAdapterSpecifier(specifier: string): boolean {
  if (BARE.test(specifier)) return true;
  if (specifier.startsWith('file:') || specifier.startsWith('/')) {
    return INSTALLED.test(decodeURIComponent(specifier.replace(/\\/g, '/')));
  }
  return false;
}

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  // Imports made by an adapter's own files (if one was loaded before the hook) resolve normally.
  if (isAdapterSpecifier(specifier) && !(context.parentURL && isAdapterSpecifier(context.parentURL))) {
    return { url: ADAPTER_URL, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
