import { apiClient, dataOrThrow } from '$lib/api/client';
import { millisBetween } from '$lib/components/format';
import type { PageLoad } from './$types';

/** How many builds the chart draws, and of how many projects it reads the history. */
const CHART_BUILDS = 30;
const CHART_PROJECTS = 20;

export const load: PageLoad = async ({ fetch, url }) => {
  const api = apiClient(fetch, url.origin);
  const [limits, projects] = await Promise.all([api.GET('/me/limits'), api.GET('/projects')]);
  const mine = dataOrThrow(limits, url);
  // The caller's own projects: the ones their subscription counts.
  const owned = dataOrThrow(projects, url)
    .projects.filter((p) => p.owner === mine.user)
    .slice(0, CHART_PROJECTS);
  const lists = await Promise.all(owned.map((p) => api.GET('/projects/{name}/deployments', { params: { path: { name: p.name } } })));
  const builds = lists
    .flatMap((list) => list.data?.deployments ?? [])
    .flatMap((d) => {
      const ms = millisBetween(d.createdAt, d.releasedAt);
      return ms === undefined ? [] : [{ id: d.id, project: d.project, createdAt: d.createdAt, ms }];
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .slice(-CHART_BUILDS);
  return { ...mine, builds };
};
