import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params }) => {
  const api = apiClient(fetch, url.origin);
  const path = { params: { path: { name: params.name } } };
  const [project, deployments] = await Promise.all([api.GET('/projects/{name}', path), api.GET('/projects/{name}/deployments', path)]);
  return { project: dataOrThrow(project, url).project, deployments: dataOrThrow(deployments, url).deployments };
};
