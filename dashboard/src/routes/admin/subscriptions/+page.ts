import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';
import { can, requirePermission } from '../access';

export const load: PageLoad = async ({ fetch, url, parent }) => {
  const { me } = await parent();
  requirePermission(me, 'subscriptions:read');
  const api = apiClient(fetch, url.origin);
  const canWrite = can(me, 'subscriptions:write');
  // Assigning picks a user: only a caller who may write subscriptions needs the list.
  const [{ subscriptions }, users] = await Promise.all([
    api.GET('/admin/subscriptions').then((result) => dataOrThrow(result, url)),
    canWrite && can(me, 'users:read') ? api.GET('/admin/users').then((result) => dataOrThrow(result, url).users) : Promise.resolve([]),
  ]);
  return { subscriptions, users, canWrite };
};
