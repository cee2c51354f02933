import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';
import { requirePermission } from '../access';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export const load: PageLoad = async ({ fetch, url, parent }) => {
  const { me } = await parent();
  requirePermission(me, 'audit:read');
  const asked = url.searchParams.get('month');
  const month = asked && MONTH.test(asked) ? asked : undefined;
  const nextToken = url.searchParams.get('page') ?? undefined;
  const page = dataOrThrow(
    await apiClient(fetch, url.origin).GET('/admin/audit', { params: { query: { month, nextToken, limit: '50' } } }),
    url,
  );
  return { ...page, paged: nextToken !== undefined };
};
