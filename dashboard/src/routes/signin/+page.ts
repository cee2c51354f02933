import { apiClient } from '$lib/api/client';
import type { PageLoad } from './$types';

/** GitHub is offered only where the platform has a GitHub OAuth app. */
export const load: PageLoad = async ({ fetch, url }) => {
  const { data } = await apiClient(fetch, url.origin).GET('/auth/methods');
  return { github: data?.github ?? false };
};
