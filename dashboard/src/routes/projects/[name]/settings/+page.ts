import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params }) => {
  const api = apiClient(fetch, url.origin);
  const path = { params: { path: { name: params.name } } };
  const [project, settings, env, domains, repositories] = await Promise.all([
    api.GET('/projects/{name}', path),
    api.GET('/projects/{name}/settings', path),
    api.GET('/projects/{name}/env', path),
    api.GET('/projects/{name}/domains', path),
    api.GET('/github/repositories'),
  ]);
  return {
    project: dataOrThrow(project, url).project,
    settings: dataOrThrow(settings, url).settings,
    variables: dataOrThrow(env, url).variables,
    domains: dataOrThrow(domains, url).domains,
    repositories: repositories.data?.repositories ?? [],
  };
};
