import { error } from '@sveltejs/kit';

/** What the admin pages need of the signed-in caller (`GET /me`). */
export interface Caller {
  permissions: readonly string[];
}

/** The admin sections and the permission each needs to be shown at all. */
export const SECTIONS = [
  { href: '/admin/users', title: 'Users and roles', permission: 'users:read', about: 'Who may sign in, with which roles.' },
  {
    href: '/admin/subscriptions',
    title: 'Subscriptions and limits',
    permission: 'subscriptions:read',
    about: 'What each subscription allows, and who has which.',
  },
  {
    href: '/admin/executions',
    title: 'Executions',
    permission: 'executions:read',
    about: 'Every workflow run, by status and workflow; retry a failed build.',
  },
  { href: '/admin/audit', title: 'Audit log', permission: 'audit:read', about: 'Every change made through the API, newest first.' },
] as const;

export const can = (caller: Caller | undefined, permission: string): boolean => caller?.permissions.includes(permission) ?? false;

/**
 * A caller without the permission gets the same 404 as for a page that does not exist: the admin
 * pages do not tell who lacks access that they are there. Runs in the load, so on the server too.
 */
export function requirePermission(caller: Caller | undefined, permission: string): void {
  if (!can(caller, permission)) error(404, 'Not found');
}
