import createClient from 'openapi-fetch';
import { error, redirect } from '@sveltejs/kit';
import type { paths } from './schema';

/** The API's typed client (generated from its OpenAPI document, so only what a script may call). */
export type Api = ReturnType<typeof createClient<paths>>;

/**
 * A client for the API on the dashboard's own origin. In a load function pass its `fetch` and `url`:
 * on the server SvelteKit then forwards the session cookie; in the browser it is the browser's fetch,
 * whose Origin header the API checks on every change.
 */
export function apiClient(fetchFn: typeof fetch, origin: string): Api {
  return createClient<paths>({ baseUrl: `${origin}/api/v1`, fetch: fetchFn });
}

/** The API's error body: `{ error: { code, message, field? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

export function errorMessage(body: unknown, fallback = 'the request failed'): string {
  const message = (body as Partial<ApiErrorBody> | undefined)?.error?.message;
  return typeof message === 'string' ? message : fallback;
}

/**
 * The data of an API answer in a load function, or SvelteKit's error page with the API's message;
 * a 401 sends the browser to sign in, back here afterwards.
 */
export function dataOrThrow<T>(result: { data?: T; error?: unknown; response: Response }, url: URL): T {
  if (result.data !== undefined) return result.data;
  if (result.response.status === 401) redirect(303, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
  error(result.response.status, errorMessage(result.error));
}
