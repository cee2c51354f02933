import { error } from '@sveltejs/kit';
import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';

/** Any execution by name, for operators: others get a 404, as if the page were not there. */
export const load: PageLoad = async ({ fetch, url, params, parent }) => {
  const { me } = await parent();
  if (!me?.permissions.includes('executions:read')) error(404, 'Not found');
  const answer = dataOrThrow(
    await apiClient(fetch, url.origin).GET('/executions/{executionName}', { params: { path: { executionName: params.name } } }),
    url,
  );
  return { answer };
};
