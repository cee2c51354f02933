import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';
import { can, requirePermission } from '../access';
import { STATUSES, WORKFLOWS, pick } from './filters';

export const load: PageLoad = async ({ fetch, url, parent }) => {
  const { me } = await parent();
  requirePermission(me, 'executions:read');
  const status = pick(STATUSES, url.searchParams.get('status'));
  const workflow = pick(WORKFLOWS, url.searchParams.get('workflow'));
  const nextToken = url.searchParams.get('page') ?? undefined;
  const page = dataOrThrow(
    await apiClient(fetch, url.origin).GET('/executions', { params: { query: { status, workflow, nextToken, limit: '25' } } }),
    url,
  );
  return { ...page, status, workflow, paged: nextToken !== undefined, canRetry: can(me, 'executions:retry') };
};
