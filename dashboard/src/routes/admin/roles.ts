import type { paths } from '$lib/api/schema';

type SetRolesBody = NonNullable<paths['/admin/users/{login}/roles']['put']['requestBody']>['content']['application/json'];
export type Role = SetRolesBody['roles'][number];

/** Every role and what it lets its holder do (handlers/api/identity/roles.ts, docs/PERMISSIONS.md). */
export const ROLE_ABOUT: Record<Role, string> = {
  user: 'create and run their own projects',
  support: 'read every project, user, subscription, execution and the audit log',
  maintainer: 'run every project, manage users, retry executions',
  'subscription-manager': 'edit subscriptions and assign them',
  'role-manager': "change users' roles",
};
export const ROLES = Object.keys(ROLE_ABOUT) as Role[];

/** The API's error body's field and message, for showing next to the field it names. */
export interface FieldError {
  field?: string;
  message: string;
}

export function fieldError(body: unknown, fallback: string): FieldError {
  const error = (body as { error?: { field?: unknown; message?: unknown } } | undefined)?.error;
  return {
    ...(typeof error?.field === 'string' ? { field: error.field } : {}),
    message: typeof error?.message === 'string' ? error.message : fallback,
  };
}
