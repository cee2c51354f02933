import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { cachedUntilFailure } from '../lib/secrets.js';
import { readSecret } from '../lib/bindings/bound.js';
import { sameSecret } from '../lib/same-secret.js';
import { ApiError } from './errors.js';
import { ADMIN_USER, type Caller } from './identity/caller.js';
import { ALL_ROLES, permissionsOf } from './identity/roles.js';
import { API_TOKEN, verifyApiToken } from './identity/api-tokens.js';
import { SESSION_COOKIE, signSession, verifySession } from './identity/sessions.js';
import { getUser } from './identity/users.js';

export type { Caller } from './identity/caller.js';

/**
 * The admin token, from the bound SecretSource: Secrets Manager on AWS (SLIPWAY_ADMIN_TOKEN_SECRET_ARN,
 * a secret the internal system generates), `$SLIPWAY_HOME/admin.token` locally (SLIPWAY_ADMIN_TOKEN_FILE).
 * It is the first admin: it holds every role. A failed load is not cached.
 */
const adminToken = cachedUntilFailure(async () => {
  const stored = await readSecret(
    'admin-token',
    () =>
      new ApiError('Unauthorized', 'this API has no admin token configured (SLIPWAY_ADMIN_TOKEN_SECRET_ARN or SLIPWAY_ADMIN_TOKEN_FILE)'),
  );
  const token = stored.trim();
  if (!token) throw new Error('the admin token is empty');
  return token;
});

async function userCaller(login: string, via: 'api-token' | 'session'): Promise<Caller> {
  const user = await getUser(login);
  // A deleted user's tokens and sessions stop working at once.
  if (!user) throw new ApiError('Unauthorized', 'the credentials belong to a user that no longer exists');
  return { user: user.login, roles: user.roles, permissions: permissionsOf(user.roles), via };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A session cookie rides along on any request the browser makes to this host, including ones a
 * page on a sibling tenant domain (same site, so SameSite=Lax does not help) triggers: a mutating
 * request with a cookie must come from the API's own origin.
 */
function checkSessionOrigin(c: Context): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header('origin');
  if (!origin || origin !== new URL(c.req.url).origin) {
    throw new ApiError(
      'Forbidden',
      'a request signed in with a session cookie must come from the API origin (Origin header)',
      'header.Origin',
    );
  }
}

function adminCaller(via: 'admin-token' | 'session'): Caller {
  return { user: ADMIN_USER, roles: ALL_ROLES, permissions: permissionsOf(ALL_ROLES), via };
}

/** A short digest of the admin token: a session opened with it carries this, never the token. */
async function adminTokenFingerprint(): Promise<string> {
  return createHash('sha256')
    .update(`slipway-session:${await adminToken.get()}`)
    .digest('base64url')
    .slice(0, 22);
}

export const TOKEN_SHAPE = /^[A-Za-z0-9._~+/=-]{16,512}$/;

/**
 * Who a bearer token (admin token or API token) belongs to. The dashboard's token sign-in uses it
 * too, so a session is only ever opened for a token the API would accept as a bearer.
 */
export async function callerOfToken(token: string): Promise<Caller> {
  if (API_TOKEN.test(token)) {
    const login = await verifyApiToken(token);
    if (!login) throw new ApiError('Unauthorized', 'the API token is not valid (unknown, revoked or expired)');
    return userCaller(login, 'api-token');
  }
  if (!sameSecret(await adminToken.get(), token)) throw new ApiError('Unauthorized', 'the token is not valid');
  return adminCaller('admin-token');
}

/** The session cookie's value for a caller a token identified (see `callerOfToken`). */
export async function sessionFor(caller: Caller): Promise<string> {
  return caller.via === 'admin-token' ? signSession(ADMIN_USER, await adminTokenFingerprint()) : signSession(caller.user);
}

/** Bearer admin token, bearer API token (`slw_…`), or a session cookie — in that order. */
export async function authenticate(c: Context): Promise<Caller> {
  const authorization = c.req.header('authorization');
  if (authorization) {
    const match = /^Bearer (.+)$/.exec(authorization);
    const token = match?.[1];
    if (!token || !TOKEN_SHAPE.test(token)) throw new ApiError('Unauthorized', 'the Authorization header must be "Bearer <token>"');
    return callerOfToken(token);
  }
  const session = getCookie(c, 'slipway_session' satisfies typeof SESSION_COOKIE);
  if (session) {
    const claims = await verifySession(session);
    if (!claims) throw new ApiError('Unauthorized', 'the session has expired or is not valid: sign in again');
    checkSessionOrigin(c);
    if (claims.adminTokenFingerprint !== undefined) {
      // The admin token was rotated since this session opened: it ends with it.
      if (!sameSecret(await adminTokenFingerprint(), claims.adminTokenFingerprint))
        throw new ApiError('Unauthorized', 'the session has expired or is not valid: sign in again');
      return adminCaller('session');
    }
    return userCaller(claims.user, 'session');
  }
  throw new ApiError('Unauthorized', 'the Authorization header is missing: send "Authorization: Bearer <token>" or sign in');
}
