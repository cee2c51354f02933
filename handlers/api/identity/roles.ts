/**
 * Roles and the permissions they grant. A caller holds a set of roles; project ownership is
 * checked separately (access.ts), so `user` alone reaches only the caller's own projects.
 * docs/PERMISSIONS.md is the readable form of this table, and test/api/roles.test.ts walks
 * every route with every role.
 */
export const ROLES = ['user', 'support', 'maintainer', 'subscription-manager', 'role-manager'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'projects:create',
  'projects:read-any',
  'projects:write-any',
  'users:read',
  'users:write',
  'roles:write',
  'subscriptions:read',
  'subscriptions:write',
  'executions:read',
  'executions:retry',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  user: ['projects:create'],
  support: ['projects:read-any', 'users:read', 'subscriptions:read', 'executions:read', 'audit:read'],
  maintainer: [
    'projects:read-any',
    'projects:write-any',
    'users:read',
    'users:write',
    'subscriptions:read',
    'executions:read',
    'executions:retry',
    'audit:read',
  ],
  'subscription-manager': ['users:read', 'subscriptions:read', 'subscriptions:write'],
  'role-manager': ['users:read', 'roles:write'],
};

/** The first admin (the admin token) holds every role. */
export const ALL_ROLES: readonly Role[] = ROLES;

export function permissionsOf(roles: readonly Role[]): ReadonlySet<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role]));
}
