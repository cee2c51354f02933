import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as v from 'valibot';
import { currentPlatform } from '../../lib/bindings/platform.js';
import { callerOfToken, sessionFor, TOKEN_SHAPE } from '../auth.js';
import { ApiError } from '../errors.js';
import { API_BASE } from '../openapi.js';
import { beginSignIn, completeSignIn, FLOW_COOKIE, FLOW_SECONDS, githubSignInConfigured } from '../identity/github-oauth.js';
import { cookieOptions, SESSION_COOKIE, SESSION_SECONDS, signSession } from '../identity/sessions.js';
import { userForGitHubSignIn } from '../identity/users.js';
import { NewLogin, OAuthCallbackQuery } from '../identity/schemas.js';
import { route, type ApiRoute } from '../route.js';

/** Sign-in and sign-out (public: served before the token middleware, since these are how a browser gets a session). */
export const authRoutes: ApiRoute[] = [];

const CALLBACK_PATH = `${API_BASE}/auth/github/callback`;

/** The callback URL GitHub redirects to; the platform's public URL wins when a proxy changes the host. */
function redirectUri(requestUrl: string): string {
  return new URL(CALLBACK_PATH, currentPlatform().publicUrl ?? requestUrl).toString();
}

authRoutes.push(
  route({
    method: 'get',
    path: '/auth/github/login',
    operationId: 'beginGithubSignIn',
    summary: 'Start signing in with GitHub: redirects to GitHub with `state` and a PKCE challenge, kept in a signed, HttpOnly flow cookie',
    tag: 'identity',
    access: 'public',
    responses: {},
    redirect: 'The GitHub authorization page.',
    errors: [404],
    handler: async (c) => {
      const { location, flowCookie } = await beginSignIn(redirectUri(c.req.url));
      setCookie(c, FLOW_COOKIE, flowCookie, { ...cookieOptions(c.req.url, FLOW_SECONDS), path: CALLBACK_PATH });
      return c.redirect(location, 302);
    },
  }),
);

authRoutes.push(
  route({
    method: 'get',
    path: '/auth/github/callback',
    operationId: 'completeGithubSignIn',
    summary:
      'Where GitHub sends the browser back: checks `state`, redeems the code with the PKCE verifier, sets the signed, HttpOnly session cookie',
    tag: 'identity',
    access: 'public',
    query: OAuthCallbackQuery,
    responses: {},
    redirect: 'The dashboard (`/`), signed in.',
    errors: [400, 401, 403, 404],
    // The declared query (OAuthCallbackQuery) is checked before this runs; completeSignIn reads it from the URL.
    handler: async (c) => {
      const flowCookie = getCookie(c, FLOW_COOKIE);
      deleteCookie(c, FLOW_COOKIE, { path: CALLBACK_PATH });
      const account = await completeSignIn(new URL(c.req.url), redirectUri(c.req.url), flowCookie);
      const login = v.safeParse(NewLogin, account.login);
      if (!login.success)
        throw new ApiError('Forbidden', `the GitHub login ${account.login} cannot sign in here: ${login.issues[0].message}`);
      const user = await userForGitHubSignIn(login.output, account.id);
      setCookie(c, SESSION_COOKIE, await signSession(user.login), cookieOptions(c.req.url, SESSION_SECONDS));
      return c.redirect('/', 302);
    },
  }),
);

authRoutes.push(
  route({
    method: 'get',
    path: '/auth/methods',
    operationId: 'listSignInMethods',
    summary: 'How a browser can sign in here: always with a token; with GitHub when the platform has a GitHub OAuth app',
    tag: 'identity',
    access: 'public',
    responses: { 200: v.object({ token: v.literal(true), github: v.boolean() }) },
    errors: [],
    handler: async (c) => c.json({ token: true as const, github: await githubSignInConfigured() }),
  }),
);

const TokenSignInBody = v.strictObject({
  token: v.pipe(v.string('must be a string'), v.regex(TOKEN_SHAPE, 'must be an API token or the admin token (16–512 token characters)')),
});

authRoutes.push(
  route({
    method: 'post',
    path: '/auth/token',
    operationId: 'signInWithToken',
    summary:
      'Sign a browser in with an API token or the admin token: sets the signed, HttpOnly session cookie (the token is not kept; a session opened with the admin token ends when that token is rotated)',
    tag: 'identity',
    access: 'public',
    body: TokenSignInBody,
    responses: { 200: v.object({ user: v.string(), via: v.literal('session') }) },
    errors: [400, 401, 403],
    handler: async (c, { body }) => {
      // A page elsewhere must not sign this browser in to an account of its choosing.
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== new URL(c.req.url).origin)
        throw new ApiError('Forbidden', 'a sign-in must come from the API origin (Origin header)', 'header.Origin');
      const caller = await callerOfToken(body.token);
      setCookie(c, SESSION_COOKIE, await sessionFor(caller), cookieOptions(c.req.url, SESSION_SECONDS));
      return c.json({ user: caller.user, via: 'session' as const });
    },
  }),
);

authRoutes.push(
  route({
    method: 'post',
    path: '/auth/logout',
    operationId: 'signOut',
    summary: 'Sign out: clears the session cookie',
    tag: 'identity',
    access: 'public',
    responses: { 200: v.object({ signedOut: v.literal(true) }) },
    errors: [],
    handler: (c) => {
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.json({ signedOut: true });
    },
  }),
);
