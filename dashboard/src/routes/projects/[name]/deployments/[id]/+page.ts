import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';

/** The deployment and, once its execution has started, the execution's view and graph. */
export const load: PageLoad = async ({ fetch, url, params }) => {
  const api = apiClient(fetch, url.origin);
  const path = { name: params.name, id: params.id };
  const [deployment, execution] = await Promise.all([
    api.GET('/projects/{name}/deployments/{id}', { params: { path } }),
    api.GET('/projects/{name}/deployments/{id}/execution', { params: { path } }),
  ]);
  const { deployment: record } = dataOrThrow(deployment, url);
  // No execution yet (a deployment just queued): the stream brings it when it starts.
  return { deployment: record, answer: execution.data ?? null };
};
