import { isTracing } from '../../../handlers/lib/observability.js';

/** Bundled by bundle-bindings.test.ts: says whether the bundle's entry bound the X-Ray tracer. */
export async function handler(): Promise<string> {
  return isTracing() ? 'tracing' : 'not tracing';
}
