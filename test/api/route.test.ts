import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import * as v from 'valibot';
import { ApiError } from '../../handlers/api/errors.js';
import type { ApiEnv } from '../../handlers/api/context.js';
import { registerRoutes, route } from '../../handlers/api/route.js';
import type { Permission } from '../../handlers/api/identity/roles.js';

/**
 * route() without servers: what a declaration parses, in which order, and the access it enforces.
 * Project routes read DynamoDB for their access check; test/api/roles.test.ts walks those.
 */

const received: unknown[] = [];

const setLabel = route({
  method: 'put',
  path: '/admin/users/{login}/tokens/{token}',
  operationId: 'setLabel',
  summary: 'A test route with two parameters, a query and a body',
  tag: 'admin',
  access: 'users:write',
  query: v.object({ dry: v.optional(v.picklist(['yes', 'no'])) }),
  body: v.strictObject({ label: v.pipe(v.string(), v.minLength(1)) }),
  responses: { 200: v.object({ ok: v.literal(true) }) },
  errors: [400, 403],
  handler: (c, input) => {
    // Typed: these lines fail to compile if the declaration's types do not reach the handler.
    const login: string = input.params.login;
    const label: string = input.body.label;
    const dry: 'yes' | 'no' | undefined = input.query.dry;
    const project: undefined = input.project;
    received.push({ login, token: input.params.token, label, dry, project });
    return c.json({ ok: true });
  },
});

function appFor(permissions: Permission[]) {
  const app = new Hono<ApiEnv>();
  app.onError((error, c) =>
    error instanceof ApiError ? c.json(error.toJSON(), error.status) : c.json({ unexpected: String(error) }, 500),
  );
  app.use('*', async (c, next) => {
    c.set('caller', { user: 'tester', roles: [], permissions: new Set(permissions), via: 'api-token' });
    await next();
  });
  registerRoutes(app, [setLabel]);
  return app;
}

async function put(app: Hono<ApiEnv>, path: string, body: unknown) {
  const response = await app.request(path, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { error?: { code: string; field?: string; message: string } } };
}

describe('route()', () => {
  it('gives the handler its parsed, typed parameters, query and body', async () => {
    received.length = 0;
    const ok = await put(appFor(['users:write']), '/admin/users/Octo-Cat/tokens/0123456789abcdef?dry=yes', { label: 'ci' });
    expect(ok.status).toBe(200);
    // The login parameter is case-insensitive: the handler gets the lowercase form.
    expect(received).toEqual([{ login: 'octo-cat', token: '0123456789abcdef', label: 'ci', dry: 'yes', project: undefined }]);
  });

  it('checks the declared permission before anything the caller sent', async () => {
    received.length = 0;
    const refused = await put(appFor(['users:read']), '/admin/users/not%20a%20login/tokens/x?dry=maybe', 'not json');
    expect(refused.status).toBe(403);
    expect(refused.json.error?.message).toContain('users:write');
    expect(received).toEqual([]);
  });

  it('then parses path parameters, the query and the body, in that order, naming the field', async () => {
    const app = appFor(['users:write']);
    received.length = 0;
    const cases: [string, unknown, string][] = [
      ['/admin/users/not%20a%20login/tokens/nope?dry=maybe', 'not json', 'path.login'],
      ['/admin/users/octocat/tokens/nope?dry=maybe', 'not json', 'path.token'],
      ['/admin/users/octocat/tokens/0123456789abcdef?dry=maybe', 'not json', 'query.dry'],
      ['/admin/users/octocat/tokens/0123456789abcdef?dry=no', 'not json', 'body'],
      ['/admin/users/octocat/tokens/0123456789abcdef?dry=no', { label: '' }, 'body.label'],
      ['/admin/users/octocat/tokens/0123456789abcdef', { label: 'x', extra: 1 }, 'body.extra'],
    ];
    for (const [path, body, field] of cases) {
      const bad = await put(app, path, body);
      expect(bad.status, path).toBe(400);
      expect(bad.json.error, path).toMatchObject({ code: 'BadRequest', field });
      expect(bad.json.error?.message.startsWith(field), path).toBe(true);
    }
    expect(received).toEqual([]);
  });
});
