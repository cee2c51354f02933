import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { startApiHarness, TOKEN, userWithToken, type ApiHarness } from './support/api-harness.js';
import { signSession } from '../../handlers/api/identity/sessions.js';
import { startGitHubOAuthServer, useGitHubOAuthServer, type GitHubOAuthServer } from '../support/github-oauth-server.js';

/**
 * Sign-in with GitHub against a local GitHub test server, session cookies, and API tokens an admin
 * issues: every step of the OAuth flow is checked (state, PKCE, the flow cookie), and tokens are
 * stored hashed.
 */
let harness: ApiHarness;
let github: GitHubOAuthServer;
const BASE = 'http://localhost:8080';

beforeAll(async () => {
  harness = await startApiHarness();
  github = await startGitHubOAuthServer();
  useGitHubOAuthServer(github, harness.aws, harness.aws.dir);
});

afterAll(async () => {
  await github?.close();
  await harness?.close();
});

/** A request as a browser would make it (no bearer token; cookies as given). */
function browser(
  path: string,
  init: { method?: string; cookies?: Record<string, string>; headers?: Record<string, string>; body?: string } = {},
) {
  const cookie = Object.entries(init.cookies ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return harness.app.request(`${BASE}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(cookie ? { cookie } : {}), ...init.headers },
    body: init.body,
  });
}

/** The value and attributes of one Set-Cookie header. */
function setCookie(response: Response, name: string): { value: string; attributes: string } | undefined {
  const header = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!header) return undefined;
  const [pair, ...attributes] = header.split(';');
  return { value: (pair as string).slice(name.length + 1), attributes: attributes.join(';').toLowerCase() };
}

async function signIn(account: { login: string; id: number }): Promise<string> {
  const start = await browser('/auth/github/login');
  expect(start.status).toBe(302);
  const flow = setCookie(start, 'slipway_oauth');
  expect(flow?.attributes).toContain('httponly');
  const approved = github.approve(start.headers.get('location') as string, account);
  expect(approved.redirectUri).toBe(`${BASE}/api/v1/auth/github/callback`);
  const callback = await browser(`/auth/github/callback?code=${approved.code}&state=${approved.state}`, {
    cookies: { slipway_oauth: flow?.value as string },
  });
  expect(callback.status, await callback.clone().text()).toBe(302);
  expect(callback.headers.get('location')).toBe('/');
  const session = setCookie(callback, 'slipway_session');
  expect(session?.attributes).toContain('httponly');
  expect(session?.attributes).toContain('samesite=lax');
  return session?.value as string;
}

describe('sign-in with GitHub', () => {
  it('signs a new user in with state and PKCE, and the session cookie identifies them', async () => {
    const session = await signIn({ login: 'Octo-Cat', id: 101 });
    const me = await browser('/me', { cookies: { slipway_session: session } });
    expect(await me.json()).toEqual({ user: 'octo-cat', roles: ['user'], permissions: ['projects:create'], via: 'session' });
    // The token exchange carried the PKCE verifier and the client secret (checked by the test server).
    const exchange = github.tokenRequests.at(-1) as URLSearchParams;
    expect(exchange.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it('refuses a callback whose state does not match the flow cookie', async () => {
    const start = await browser('/auth/github/login');
    const flow = setCookie(start, 'slipway_oauth')?.value as string;
    const approved = github.approve(start.headers.get('location') as string, { login: 'mallory', id: 666 });
    const callback = await browser(`/auth/github/callback?code=${approved.code}&state=forged-state`, { cookies: { slipway_oauth: flow } });
    expect(callback.status).toBe(400);
    expect((await callback.json()).error.field).toBe('query.state');
    expect(setCookie(callback, 'slipway_session')).toBeUndefined();
  });

  it('refuses a callback without the flow cookie (started in another browser) and a reused code', async () => {
    const start = await browser('/auth/github/login');
    const flow = setCookie(start, 'slipway_oauth')?.value as string;
    const approved = github.approve(start.headers.get('location') as string, { login: 'someone', id: 202 });
    const noCookie = await browser(`/auth/github/callback?code=${approved.code}&state=${approved.state}`);
    expect(noCookie.status).toBe(400);
    expect((await noCookie.json()).error.message).toContain('no sign-in is in progress');
    const first = await browser(`/auth/github/callback?code=${approved.code}&state=${approved.state}`, {
      cookies: { slipway_oauth: flow },
    });
    expect(first.status).toBe(302);
    const reused = await browser(`/auth/github/callback?code=${approved.code}&state=${approved.state}`, {
      cookies: { slipway_oauth: flow },
    });
    expect(reused.status).toBe(401);
    expect((await reused.json()).error.field).toBe('query.code');
  });

  it('will not let another GitHub account take over a login', async () => {
    await signIn({ login: 'pinned', id: 303 });
    const start = await browser('/auth/github/login');
    const flow = setCookie(start, 'slipway_oauth')?.value as string;
    const approved = github.approve(start.headers.get('location') as string, { login: 'pinned', id: 999 });
    const callback = await browser(`/auth/github/callback?code=${approved.code}&state=${approved.state}`, {
      cookies: { slipway_oauth: flow },
    });
    expect(callback.status).toBe(403);
  });

  it('refuses a forged session cookie, and a cookie-authenticated change from another origin', async () => {
    expect((await browser('/me', { cookies: { slipway_session: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.AAAA' } })).status).toBe(401);
    const session = await signIn({ login: 'csrf-target', id: 404 });
    const body = JSON.stringify({ name: 'from-cookie' });
    const headers = { 'content-type': 'application/json' };
    const crossSite = await browser('/projects', {
      method: 'POST',
      cookies: { slipway_session: session },
      headers: { ...headers, origin: 'http://evil.localhost:8080' },
      body,
    });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.field).toBe('header.Origin');
    const noOrigin = await browser('/projects', { method: 'POST', cookies: { slipway_session: session }, headers, body });
    expect(noOrigin.status).toBe(403);
    const sameOrigin = await browser('/projects', {
      method: 'POST',
      cookies: { slipway_session: session },
      headers: { ...headers, origin: BASE },
      body,
    });
    expect(sameOrigin.status).toBe(202);
    expect((await sameOrigin.json()).project.owner).toBe('csrf-target');
  });

  it('signs out by clearing the cookie', async () => {
    const out = await browser('/auth/logout', { method: 'POST' });
    expect(out.status).toBe(200);
    expect(setCookie(out, 'slipway_session')?.attributes).toContain('max-age=0');
  });
});

describe('API tokens', () => {
  it('are issued by an admin, stored hashed, work until revoked', async () => {
    const auth = await userWithToken(harness, 'Token-User', ['user']);
    const token = auth.authorization.slice('Bearer '.length);
    expect(token).toMatch(/^slw_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect((await harness.call('GET', '/me', undefined, auth)).json).toMatchObject({ user: 'token-user', via: 'api-token' });

    // Nothing in the table holds the token or its secret part.
    const items = await harness.aws.platform.table.send(new ScanCommand({ TableName: 'slipway-platform' }));
    // The secret is base64url and may itself hold '_': take everything after the id, not a split piece.
    const secret = (/^slw_[0-9a-f]{16}_(.+)$/.exec(token) as RegExpExecArray)[1] as string;
    expect(JSON.stringify(items.Items)).not.toContain(secret);

    const listed = await harness.call('GET', '/admin/users/token-user');
    expect(listed.json.tokens).toHaveLength(1);
    expect(JSON.stringify(listed.json)).not.toContain(secret);
    const id = listed.json.tokens[0].id as string;
    expect((await harness.call('DELETE', `/admin/users/token-user/tokens/${id}`)).status).toBe(200);
    const after = await harness.call('GET', '/me', undefined, auth);
    expect(after.status).toBe(401);
    expect(after.json.error.message).toContain('not valid');
  });

  it('refuses a token whose secret part is wrong', async () => {
    const auth = await userWithToken(harness, 'guess-target', ['user']);
    const [prefix, id] = auth.authorization.split('_') as [string, string, string];
    const wrong = `${prefix}_${id}_${'A'.repeat(43)}`;
    expect((await harness.call('GET', '/me', undefined, { authorization: wrong })).status).toBe(401);
  });

  it('lets users hold their own tokens, and applies role changes at once', async () => {
    const auth = await userWithToken(harness, 'self-service', ['user']);
    const mine = await harness.call('POST', '/me/tokens', { label: 'laptop', ttlDays: 30 }, auth);
    expect(mine.status).toBe(201);
    expect(mine.json.record).toMatchObject({ user: 'self-service', label: 'laptop', expiresAt: expect.any(Number) });
    expect((await harness.call('GET', '/me/tokens', undefined, auth)).json.tokens).toHaveLength(2);
    expect((await harness.call('GET', '/executions', undefined, auth)).status).toBe(403);
    expect((await harness.call('PUT', '/admin/users/self-service/roles', { roles: ['user', 'support'] })).status).toBe(200);
    expect((await harness.call('GET', '/executions', undefined, auth)).status).toBe(200);
    expect((await harness.call('DELETE', `/me/tokens/${mine.json.record.id}`, undefined, auth)).status).toBe(200);
    expect((await harness.call('GET', '/me', undefined, { authorization: `Bearer ${mine.json.token}` })).status).toBe(401);
    // The admin token is not a user.
    expect((await harness.call('POST', '/me/tokens', { label: 'x' })).status).toBe(409);
  });

  it('keeps a user who owns projects, and deleting one stops their tokens', async () => {
    const auth = await userWithToken(harness, 'leaver', ['user']);
    const created = await harness.call('POST', '/projects', { name: 'leaver-site' }, auth);
    expect(created.status).toBe(202);
    const refused = await harness.call('DELETE', '/admin/users/leaver');
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain('leaver-site');
    const other = await userWithToken(harness, 'short-lived', ['user']);
    expect((await harness.call('DELETE', '/admin/users/short-lived')).status).toBe(200);
    expect((await harness.call('GET', '/me', undefined, other)).status).toBe(401);
  });

  it('validates users, roles and tokens, naming the field', async () => {
    expect((await harness.call('POST', '/admin/users', { login: 'admin' })).json.error.field).toBe('body.login');
    expect((await harness.call('POST', '/admin/users', { login: '-bad-' })).json.error.field).toBe('body.login');
    expect((await harness.call('POST', '/admin/users', { login: 'ok', roles: ['root'] })).json.error.field).toBe('body.roles.0');
    expect((await harness.call('POST', '/admin/users/nobody-here/tokens', { label: 'x' })).status).toBe(404);
    expect((await harness.call('POST', '/admin/users/x/tokens', { label: ' ' })).json.error.field).toBe('body.label');
    expect((await harness.call('POST', '/admin/users/x/tokens', { label: 'x', ttlDays: 9999 })).json.error.message).toContain(
      'at most 365',
    );
  });
});

describe('token sign-in (the dashboard signs a browser in with a token)', () => {
  const signInWithToken = (token: string, headers: Record<string, string> = {}) =>
    browser('/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: BASE, ...headers },
      body: JSON.stringify({ token }),
    });

  it('opens an admin session with the admin token, without keeping the token in the cookie', async () => {
    const response = await signInWithToken(TOKEN);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toEqual({ user: 'admin', via: 'session' });
    const session = setCookie(response, 'slipway_session');
    expect(session?.attributes).toContain('httponly');
    expect(session?.attributes).toContain('samesite=lax');
    const claims = JSON.stringify(decodeJwt(session?.value as string));
    expect(claims).not.toContain(TOKEN);
    const me = await browser('/me', { cookies: { slipway_session: session?.value as string } });
    expect(await me.json()).toMatchObject({ user: 'admin', via: 'session', roles: expect.arrayContaining(['role-manager', 'maintainer']) });
    // A cookie request that changes something still has to come from the API's origin.
    const foreign = await browser('/projects', {
      method: 'POST',
      cookies: { slipway_session: session?.value as string },
      headers: { 'content-type': 'application/json', origin: 'http://evil.localhost:8080' },
      body: JSON.stringify({ name: 'from-elsewhere' }),
    });
    expect(foreign.status).toBe(403);
  });

  it('ends an admin session whose admin token is no longer the one configured', async () => {
    // What a session opened before a rotation of the admin token looks like afterwards.
    const stale = await signSession('admin', 'fingerprint-of-an-older-token');
    const me = await browser('/me', { cookies: { slipway_session: stale } });
    expect(me.status).toBe(401);
    // A session naming "admin" without the fingerprint is not the admin either ("admin" is no user login).
    expect((await browser('/me', { cookies: { slipway_session: await signSession('admin') } })).status).toBe(401);
  });

  it("opens a user's session with their API token, and refuses a wrong token or another origin", async () => {
    const auth = await userWithToken(harness, 'browser-user', ['user']);
    const response = await signInWithToken(auth.authorization.slice('Bearer '.length));
    expect(response.status).toBe(200);
    const me = await browser('/me', { cookies: { slipway_session: setCookie(response, 'slipway_session')?.value as string } });
    expect(await me.json()).toMatchObject({ user: 'browser-user', via: 'session' });

    const wrong = await signInWithToken('not-the-admin-token-at-all');
    expect(wrong.status).toBe(401);
    expect(setCookie(wrong, 'slipway_session')).toBeUndefined();
    const elsewhere = await signInWithToken(TOKEN, { origin: 'http://evil.localhost:8080' });
    expect(elsewhere.status).toBe(403);
    expect((await elsewhere.json()).error.field).toBe('header.Origin');
    const malformed = await signInWithToken('short');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.field).toBe('body.token');
  });
});

describe('sign-in methods', () => {
  it('offers GitHub only where the platform has a GitHub OAuth app', async () => {
    // This harness has one (the local GitHub test server): see beforeAll.
    expect(await (await browser('/auth/methods')).json()).toEqual({ token: true, github: true });
  });
});
