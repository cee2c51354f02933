import { apiClient, dataOrThrow } from '$lib/api/client';
import type { LayoutLoad } from './$types';

/** Who is signed in, for every page but the sign-in page (which works signed out). */
export const load: LayoutLoad = async ({ fetch, url }) => {
  if (url.pathname === '/signin') return { me: undefined };
  const me = dataOrThrow(await apiClient(fetch, url.origin).GET('/me'), url);
  return { me };
};
