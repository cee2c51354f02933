import { apiClient } from '$lib/api/client';
import type { PageLoad } from './$types';

/** The repositories the caller may link; none when the platform has no GitHub App or none grants one. */
export const load: PageLoad = async ({ fetch, url }) => {
  const { data } = await apiClient(fetch, url.origin).GET('/github/repositories');
  return { repositories: data?.repositories ?? [] };
};
