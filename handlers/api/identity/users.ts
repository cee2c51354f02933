import {
  createUserItem,
  deleteUserItem,
  getUserItem,
  scanUserItems,
  setUserItemRoles,
  signInGitHubUser,
  type UserItem,
} from '../../lib/table/users.js';
import { ApiError } from '../errors.js';
import type { Role } from './roles.js';

/** A user (its item: handlers/lib/table/users.ts). Logins are stored lowercase (GitHub's are case-insensitive). */
export type UserRecord = UserItem<Role>;

export function getUser(login: string): Promise<UserRecord | undefined> {
  return getUserItem<Role>(login);
}

export async function requireUser(login: string, field = 'path.login'): Promise<UserRecord> {
  const user = await getUser(login);
  if (!user) throw new ApiError('NotFound', `user ${login} does not exist`, field);
  return user;
}

/** Creates a user; a second create of the same login is a conflict, decided by DynamoDB. */
export async function createUser(login: string, roles: Role[], createdBy: string): Promise<UserRecord> {
  const record: UserRecord = { login: login.toLowerCase(), roles: [...new Set(roles)], createdAt: new Date().toISOString(), createdBy };
  if (!(await createUserItem(record))) throw new ApiError('Conflict', `user ${login} already exists`, 'body.login');
  return record;
}

/**
 * The user a GitHub sign-in stands for: created with the `user` role on first sign-in; the GitHub
 * id is pinned on first sign-in, so a renamed-and-reused login cannot take over an account.
 */
export async function userForGitHubSignIn(login: string, githubId: number): Promise<UserRecord> {
  const user = await signInGitHubUser<Role>(login, githubId, ['user'], new Date().toISOString());
  if (!user) throw new ApiError('Forbidden', `the login ${login} belongs to another GitHub account`);
  return user;
}

export async function setUserRoles(login: string, roles: Role[]): Promise<UserRecord> {
  const user = await setUserItemRoles(login, [...new Set(roles)]);
  if (!user) throw new ApiError('NotFound', `user ${login} does not exist`, 'path.login');
  return user;
}

export async function deleteUser(login: string): Promise<void> {
  if (!(await deleteUserItem(login))) throw new ApiError('NotFound', `user ${login} does not exist`, 'path.login');
}

export async function listUsers(): Promise<UserRecord[]> {
  return (await scanUserItems<Role>()).sort((a, b) => a.login.localeCompare(b.login));
}
