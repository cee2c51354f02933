import type { Permission, Role } from './roles.js';

/** Who is calling, and how they proved it. Roles are read on every request, so a change applies at once. */
export interface Caller {
  /** The user's login (a GitHub login for users who sign in with GitHub; `admin` for the admin token). */
  user: string;
  roles: readonly Role[];
  permissions: ReadonlySet<Permission>;
  via: 'admin-token' | 'api-token' | 'session';
}

/** The admin token's name: it owns the projects it creates, and no user may take the login. */
export const ADMIN_USER = 'admin';
