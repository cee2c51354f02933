import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
  const { projects } = dataOrThrow(await apiClient(fetch, url.origin).GET('/projects'), url);
  return { projects };
};
