import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as v from 'valibot';
import { currentPlatform } from '../../lib/bindings/platform.js';
import { ApiError, parse } from '../errors.js';
import type { ApiEnv } from '../context.js';
import { API_BASE } from '../openapi.js';
import { beginSignIn, completeSignIn, FLOW_COOKIE, FLOW_SECONDS } from '../identity/github-oauth.js';
import { cookieOptions, SESSION_COOKIE, SESSION_SECONDS, signSession } from '../identity/sessions.js';
import { userForGitHubSignIn } from '../identity/users.js';
import { NewLogin, OAuthCallbackQuery } from '../identity/schemas.js';

/** Sign-in and sign-out (mounted before the token middleware: these are how a browser gets a session). */
export const authRoutes = new Hono<ApiEnv>();

const CALLBACK_PATH = `${API_BASE}/auth/github/callback`;

/** The callback URL GitHub redirects to; the platform's public URL wins when a proxy changes the host. */
function redirectUri(requestUrl: string): string {
  return new URL(CALLBACK_PATH, currentPlatform().publicUrl ?? requestUrl).toString();
}

authRoutes.get('/github/login', async (c) => {
  const { location, flowCookie } = await beginSignIn(redirectUri(c.req.url));
  setCookie(c, FLOW_COOKIE, flowCookie, { ...cookieOptions(c.req.url, FLOW_SECONDS), path: CALLBACK_PATH });
  return c.redirect(location, 302);
});

authRoutes.get('/github/callback', async (c) => {
  parse(OAuthCallbackQuery, c.req.query(), 'query');
  const flowCookie = getCookie(c, FLOW_COOKIE);
  deleteCookie(c, FLOW_COOKIE, { path: CALLBACK_PATH });
  const account = await completeSignIn(new URL(c.req.url), redirectUri(c.req.url), flowCookie);
  const login = v.safeParse(NewLogin, account.login);
  if (!login.success) throw new ApiError('Forbidden', `the GitHub login ${account.login} cannot sign in here: ${login.issues[0].message}`);
  const user = await userForGitHubSignIn(login.output, account.id);
  setCookie(c, SESSION_COOKIE, await signSession(user.login), cookieOptions(c.req.url, SESSION_SECONDS));
  return c.redirect('/', 302);
});

authRoutes.post('/logout', (c) => {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  return c.json({ signedOut: true });
});
