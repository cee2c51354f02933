import { Hono } from 'hono';
import { ApiError, parse } from '../errors.js';
import { jsonBody, type ApiEnv } from '../context.js';
import { issueApiToken, listApiTokens, revokeApiToken } from '../identity/api-tokens.js';
import { IssueTokenBody, TokenId } from '../identity/schemas.js';
import type { Caller } from '../identity/caller.js';

/** The signed-in caller: who they are, and their own API tokens (e.g. for the CLI after a browser sign-in). */
export const meRoutes = new Hono<ApiEnv>();

function aUser(caller: Caller): string {
  if (caller.via === 'admin-token')
    throw new ApiError('Conflict', 'the admin token is not a user and has no API tokens: create a user (POST /admin/users) and issue one');
  return caller.user;
}

meRoutes.get('/', (c) => {
  const caller = c.get('caller');
  return c.json({ user: caller.user, roles: caller.roles, permissions: [...caller.permissions].sort(), via: caller.via });
});

meRoutes.get('/tokens', async (c) => c.json({ tokens: await listApiTokens(aUser(c.get('caller'))) }));

meRoutes.post('/tokens', async (c) => {
  const user = aUser(c.get('caller'));
  const { label, ttlDays } = await jsonBody(c, IssueTokenBody);
  const { token, record } = await issueApiToken(user, label, user, ttlDays);
  return c.json({ token, record }, 201);
});

meRoutes.delete('/tokens/:token', async (c) => {
  const user = aUser(c.get('caller'));
  const id = parse(TokenId, c.req.param('token'), 'path');
  await revokeApiToken(id, user);
  return c.json({ revoked: id });
});
