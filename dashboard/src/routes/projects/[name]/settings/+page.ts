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
  const loaded = {
    project: dataOrThrow(project, url).project,
    settings: dataOrThrow(settings, url).settings,
    variables: dataOrThrow(env, url).variables,
  };
  // The domains with their certificate states, and where their CNAME points when the platform names it.
  const domainList = dataOrThrow(domains, url);
  return {
    ...loaded,
    domains: domainList.domains,
    domainTarget: domainList.target,
    repositories: repositories.data?.repositories ?? [],
  };
};
