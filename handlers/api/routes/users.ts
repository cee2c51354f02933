import { Hono } from 'hono';
import { ApiError, parse } from '../errors.js';
import { jsonBody, type ApiEnv } from '../context.js';
import { requirePermission } from '../identity/access.js';
import { createUser, deleteUser, listUsers, requireUser, setUserRoles } from '../identity/users.js';
import { issueApiToken, listApiTokens, revokeAllApiTokens, revokeApiToken } from '../identity/api-tokens.js';
import { CreateUserBody, IssueTokenBody, Login, SetRolesBody, TokenId } from '../identity/schemas.js';
import { listProjects } from '../records.js';

/** Logins are case-insensitive: every comparison uses the lowercase form. */
const loginParam = (value: string) => parse(Login, value, 'path').toLowerCase();

/** Admin routes for users, their roles and their API tokens (mounted at /admin/users). */
export const userRoutes = new Hono<ApiEnv>();

userRoutes.get('/', async (c) => {
  requirePermission(c, 'users:read');
  return c.json({ users: await listUsers() });
});

/** A user with any role beyond `user` also needs roles:write: creating is not a way around it. */
userRoutes.post('/', async (c) => {
  const caller = requirePermission(c, 'users:write');
  const body = await jsonBody(c, CreateUserBody);
  if (body.roles.some((role) => role !== 'user')) requirePermission(c, 'roles:write');
  return c.json({ user: await createUser(body.login, body.roles, caller.user) }, 201);
});

userRoutes.get('/:login', async (c) => {
  requirePermission(c, 'users:read');
  const login = loginParam(c.req.param('login'));
  const user = await requireUser(login);
  return c.json({ user, tokens: await listApiTokens(login) });
});

userRoutes.put('/:login/roles', async (c) => {
  requirePermission(c, 'roles:write');
  const login = loginParam(c.req.param('login'));
  const { roles } = await jsonBody(c, SetRolesBody);
  return c.json({ user: await setUserRoles(login, roles) });
});

/** Refused while the user owns projects: deleting a user must not orphan live sites. */
userRoutes.delete('/:login', async (c) => {
  requirePermission(c, 'users:write');
  const login = loginParam(c.req.param('login'));
  await requireUser(login);
  const owned = (await listProjects()).filter((project) => project.owner === login).map((project) => project.name);
  if (owned.length > 0) {
    throw new ApiError(
      'Conflict',
      `user ${login} still owns ${owned.length} project(s) (${owned.slice(0, 5).join(', ')}): delete or hand them over first`,
      'path.login',
    );
  }
  await revokeAllApiTokens(login);
  await deleteUser(login);
  return c.json({ deleted: login });
});

userRoutes.post('/:login/tokens', async (c) => {
  const caller = requirePermission(c, 'users:write');
  const login = loginParam(c.req.param('login'));
  const { label, ttlDays } = await jsonBody(c, IssueTokenBody);
  await requireUser(login);
  const { token, record } = await issueApiToken(login, label, caller.user, ttlDays);
  return c.json({ token, record }, 201);
});

userRoutes.delete('/:login/tokens/:token', async (c) => {
  requirePermission(c, 'users:write');
  const login = loginParam(c.req.param('login'));
  const id = parse(TokenId, c.req.param('token'), 'path');
  await revokeApiToken(id, login);
  return c.json({ revoked: id });
});
