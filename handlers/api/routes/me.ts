import { ApiError } from '../errors.js';
import { issueApiToken, listApiTokens, revokeApiToken } from '../identity/api-tokens.js';
import { IssueTokenBody } from '../identity/schemas.js';
import type { Caller } from '../identity/caller.js';
import * as v from 'valibot';
import { ApiTokenRecord, IssuedToken, Me } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

/** The signed-in caller: who they are, and their own API tokens (e.g. for the CLI after a browser sign-in). */
export const meRoutes: ApiRoute[] = [];

function aUser(caller: Caller): string {
  if (caller.via === 'admin-token')
    throw new ApiError('Conflict', 'the admin token is not a user and has no API tokens: create a user (POST /admin/users) and issue one');
  return caller.user;
}

meRoutes.push(
  route({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    summary: 'Who the caller is: login, roles, the permissions they grant, and how the caller signed in',
    tag: 'identity',
    access: 'signed-in',
    responses: { 200: Me },
    errors: [401],
    handler: (c) => {
      const caller = c.get('caller');
      return c.json({ user: caller.user, roles: caller.roles, permissions: [...caller.permissions].sort(), via: caller.via });
    },
  }),
);

meRoutes.push(
  route({
    method: 'get',
    path: '/me/tokens',
    operationId: 'listMyTokens',
    summary: "The caller's API tokens (records only)",
    tag: 'identity',
    access: 'signed-in',
    responses: { 200: v.object({ tokens: v.array(ApiTokenRecord) }) },
    errors: [401, 409],
    handler: async (c) => {
      return c.json({ tokens: await listApiTokens(aUser(c.get('caller'))) });
    },
  }),
);

meRoutes.push(
  route({
    method: 'post',
    path: '/me/tokens',
    operationId: 'issueMyToken',
    summary: 'Issue an API token for the caller (e.g. for the CLI after signing in with GitHub); the token is in this response only',
    tag: 'identity',
    access: 'signed-in',
    body: IssueTokenBody,
    responses: { 201: IssuedToken },
    errors: [400, 401, 409, 413],
    handler: async (c, { body }) => {
      const user = aUser(c.get('caller'));
      const { label, ttlDays } = body;
      const { token, record } = await issueApiToken(user, label, user, ttlDays);
      return c.json({ token, record }, 201);
    },
  }),
);

meRoutes.push(
  route({
    method: 'delete',
    path: '/me/tokens/{token}',
    operationId: 'revokeMyToken',
    summary: "Revoke one of the caller's API tokens",
    tag: 'identity',
    access: 'signed-in',
    responses: { 200: v.object({ revoked: v.string() }) },
    errors: [400, 401, 404, 409],
    handler: async (c, { params: { token } }) => {
      const user = aUser(c.get('caller'));
      await revokeApiToken(token, user);
      return c.json({ revoked: token });
    },
  }),
);
