import { ApiError } from '../errors.js';
import { requirePermission } from '../identity/access.js';
import { createUser, deleteUser, listUsers, requireUser, setUserRoles } from '../identity/users.js';
import { issueApiToken, listApiTokens, revokeAllApiTokens, revokeApiToken } from '../identity/api-tokens.js';
import { CreateUserBody, IssueTokenBody, SetRolesBody } from '../identity/schemas.js';
import { listProjects } from '../records.js';
import * as v from 'valibot';
import { User, ApiTokenRecord, IssuedToken } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

/** Admin routes for users, their roles and their API tokens. */
export const userRoutes: ApiRoute[] = [];

userRoutes.push(
  route({
    method: 'get',
    path: '/admin/users',
    operationId: 'listUsers',
    summary: 'Every user with their roles and subscription',
    tag: 'admin',
    access: 'users:read',
    responses: { 200: v.object({ users: v.array(User) }) },
    errors: [401, 403],
    handler: async (c) => {
      return c.json({ users: await listUsers() });
    },
  }),
);

/** A user with any role beyond `user` also needs roles:write: creating is not a way around it. */
userRoutes.push(
  route({
    method: 'post',
    path: '/admin/users',
    operationId: 'createUser',
    summary: 'Create a user (roles default to `user`; any other role also needs roles:write)',
    tag: 'admin',
    access: 'users:write',
    body: CreateUserBody,
    responses: { 201: v.object({ user: User }) },
    errors: [400, 401, 403, 409, 413],
    handler: async (c, { body }) => {
      const caller = c.get('caller');
      if (body.roles.some((role) => role !== 'user')) requirePermission(c, 'roles:write');
      return c.json({ user: await createUser(body.login, body.roles, caller.user) }, 201);
    },
  }),
);

userRoutes.push(
  route({
    method: 'get',
    path: '/admin/users/{login}',
    operationId: 'getUser',
    summary: 'One user and their API token records',
    tag: 'admin',
    access: 'users:read',
    responses: { 200: v.object({ user: User, tokens: v.array(ApiTokenRecord) }) },
    errors: [400, 401, 403, 404],
    handler: async (c, { params: { login } }) => {
      const user = await requireUser(login);
      return c.json({ user, tokens: await listApiTokens(login) });
    },
  }),
);

userRoutes.push(
  route({
    method: 'put',
    path: '/admin/users/{login}/roles',
    operationId: 'setUserRoles',
    summary: "Replace a user's roles",
    tag: 'admin',
    access: 'roles:write',
    body: SetRolesBody,
    responses: { 200: v.object({ user: User }) },
    errors: [400, 401, 403, 404, 413],
    handler: async (c, { params: { login }, body }) => {
      const { roles } = body;
      return c.json({ user: await setUserRoles(login, roles) });
    },
  }),
);

/** Refused while the user owns projects: deleting a user must not orphan live sites. */
userRoutes.push(
  route({
    method: 'delete',
    path: '/admin/users/{login}',
    operationId: 'deleteUser',
    summary: 'Delete a user and revoke their tokens (409 while they own projects)',
    tag: 'admin',
    access: 'users:write',
    responses: { 200: v.object({ deleted: v.string() }) },
    errors: [400, 401, 403, 404, 409],
    handler: async (c, { params: { login } }) => {
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
    },
  }),
);

userRoutes.push(
  route({
    method: 'post',
    path: '/admin/users/{login}/tokens',
    operationId: 'issueUserToken',
    summary: 'Issue an API token for a user; the token is in this response only (only its hash is stored)',
    tag: 'admin',
    access: 'users:write',
    body: IssueTokenBody,
    responses: { 201: IssuedToken },
    errors: [400, 401, 403, 404, 413],
    handler: async (c, { params: { login }, body: { label, ttlDays } }) => {
      const caller = c.get('caller');
      await requireUser(login);
      const { token, record } = await issueApiToken(login, label, caller.user, ttlDays);
      return c.json({ token, record }, 201);
    },
  }),
);

userRoutes.push(
  route({
    method: 'delete',
    path: '/admin/users/{login}/tokens/{token}',
    operationId: 'revokeUserToken',
    summary: "Revoke one of a user's API tokens",
    tag: 'admin',
    access: 'users:write',
    responses: { 200: v.object({ revoked: v.string() }) },
    errors: [400, 401, 403, 404],
    handler: async (c, { params: { login, token } }) => {
      await revokeApiToken(token, login);
      return c.json({ revoked: token });
    },
  }),
);
