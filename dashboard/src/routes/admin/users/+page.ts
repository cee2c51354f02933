import { apiClient, dataOrThrow } from '$lib/api/client';
import type { PageLoad } from './$types';
import { can, requirePermission } from '../access';

export const load: PageLoad = async ({ fetch, url, parent }) => {
  const { me } = await parent();
  requirePermission(me, 'users:read');
  const { users } = dataOrThrow(await apiClient(fetch, url.origin).GET('/admin/users'), url);
  return { users, canCreate: can(me, 'users:write'), canSetRoles: can(me, 'roles:write') };
};
