import type { Context } from 'hono';
import { ApiError } from '../errors.js';
import type { ApiEnv } from '../context.js';
import { requireProject, type ProjectRecord } from '../records.js';
import type { Caller } from './caller.js';
import type { Permission } from './roles.js';

/** 403 unless the caller holds `permission`; the message names it. */
export function requirePermission(c: Context<ApiEnv>, permission: Permission): Caller {
  const caller = c.get('caller');
  if (!caller.permissions.has(permission)) {
    throw new ApiError(
      'Forbidden',
      `this needs the permission ${permission}, which none of your roles (${caller.roles.join(', ') || 'none'}) grants`,
    );
  }
  return caller;
}

export type ProjectAccess = 'read' | 'write';

export function canAccessProject(caller: Caller, project: Pick<ProjectRecord, 'owner'>, access: ProjectAccess): boolean {
  if (project.owner === caller.user) return true;
  return caller.permissions.has(access === 'read' ? 'projects:read-any' : 'projects:write-any');
}

/**
 * The project, when the caller owns it or holds the matching `-any` permission. A project the
 * caller may not even read answers 404, as if it did not exist: names of others' projects do not leak.
 */
export async function requireProjectAccess(c: Context<ApiEnv>, name: string, access: ProjectAccess): Promise<ProjectRecord> {
  const caller = c.get('caller');
  const project = await requireProject(name);
  if (canAccessProject(caller, project, access)) return project;
  if (!canAccessProject(caller, project, 'read')) throw new ApiError('NotFound', `project ${name} does not exist`, 'path.name');
  throw new ApiError('Forbidden', `changing project ${name} needs its ownership or the permission projects:write-any`);
}
