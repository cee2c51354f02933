import * as oauth from 'oauth4webapi';
import * as v from 'valibot';
import { SignJWT, jwtVerify } from 'jose';
import { cachedUntilFailure } from '../../lib/secrets.js';
import { readSecret } from '../../lib/bindings/bound.js';
import { currentPlatform } from '../../lib/bindings/platform.js';
import { GITHUB_COM } from '../../lib/bindings/types.js';
import { ApiError } from '../errors.js';
import { sessionKey } from './sessions.js';

/**
 * Sign-in with GitHub (OAuth 2 authorization code with `state` and PKCE, via oauth4webapi).
 * GitHub's URLs are platform settings (`Platform.github`) so tests point them
 * at a local test server; the client credentials come from the bound SecretSource: the GitHub JSON
 * secret on AWS (`oauthClientId`, `oauthClientSecret`), SLIPWAY_GITHUB_OAUTH_CLIENT_ID and the 0600
 * file SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET_FILE locally. GitHub's access token is used once, to learn
 * who signed in, and then dropped.
 */
interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  webUrl: string;
  apiUrl: string;
}

const settings = cachedUntilFailure(async (): Promise<OAuthSettings> => {
  const { webUrl, apiUrl } = currentPlatform().github ?? GITHUB_COM;
  const missing = () => notConfigured('set SLIPWAY_GITHUB_OAUTH_CLIENT_ID and SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET_FILE');
  try {
    const clientId = await readSecret('github-oauth-client-id', missing);
    const clientSecret = (await readSecret('github-oauth-client-secret', missing)).trim();
    return { clientId, clientSecret, webUrl, apiUrl };
  } catch (error) {
    // A GitHub App secret without the OAuth fields, or an unreadable one: sign-in is simply off.
    throw error instanceof ApiError ? error : notConfigured((error as Error).message);
  }
});

/** Whether this platform can sign people in with GitHub (the sign-in page offers it only then). */
export async function githubSignInConfigured(): Promise<boolean> {
  try {
    await settings.get();
    return true;
  } catch {
    return false;
  }
}

function notConfigured(detail: string): ApiError {
  return new ApiError('NotFound', `sign-in with GitHub is not configured on this platform (${detail})`);
}

function server(s: OAuthSettings): oauth.AuthorizationServer {
  return {
    issuer: s.webUrl,
    authorization_endpoint: `${s.webUrl}/login/oauth/authorize`,
    token_endpoint: `${s.webUrl}/login/oauth/access_token`,
  };
}

/** Plain http only for a GitHub on loopback (the test server); everything else must be https. */
function requestOptions(s: OAuthSettings) {
  const host = new URL(s.webUrl).hostname;
  return { [oauth.allowInsecureRequests]: host === '127.0.0.1' || host === 'localhost' };
}

const FLOW_AUDIENCE = 'slipway-oauth-flow';
export const FLOW_COOKIE = 'slipway_oauth';
export const FLOW_SECONDS = 600;

/** Where to send the browser, and the flow cookie holding `state` and the PKCE verifier (signed, 10 minutes). */
export async function beginSignIn(redirectUri: string): Promise<{ location: string; flowCookie: string }> {
  const s = await settings.get();
  const state = oauth.generateRandomState();
  const verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(server(s).authorization_endpoint as string);
  url.search = new URLSearchParams({
    client_id: s.clientId,
    redirect_uri: redirectUri,
    scope: 'read:user',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    allow_signup: 'false',
  }).toString();
  const flowCookie = await new SignJWT({ state, verifier })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience(FLOW_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${FLOW_SECONDS}s`)
    .sign(await sessionKey());
  return { location: url.toString(), flowCookie };
}

const GitHubUser = v.object({ login: v.pipe(v.string(), v.minLength(1), v.maxLength(39)), id: v.pipe(v.number(), v.integer()) });

/**
 * Checks `state` against the flow cookie, redeems the code with the PKCE verifier and returns the
 * GitHub account that signed in. Every refusal is a 400/401 that says why.
 */
export async function completeSignIn(
  callbackUrl: URL,
  redirectUri: string,
  flowCookie: string | undefined,
): Promise<{ login: string; id: number }> {
  const s = await settings.get();
  if (!flowCookie)
    throw new ApiError(
      'BadRequest',
      'no sign-in is in progress in this browser (the flow cookie is missing or expired): start again',
      'query.state',
    );
  let flow: { state: string; verifier: string };
  try {
    const { payload } = await jwtVerify(flowCookie, await sessionKey(), { audience: FLOW_AUDIENCE, algorithms: ['HS256'] });
    flow = v.parse(v.object({ state: v.string(), verifier: v.string() }), payload);
  } catch {
    throw new ApiError('BadRequest', 'the sign-in attempt expired or is not valid: start again', 'query.state');
  }
  const as = server(s);
  const client: oauth.Client = { client_id: s.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callbackUrl, flow.state);
  } catch (error) {
    const field = error instanceof oauth.AuthorizationResponseError ? 'query.error' : 'query.state';
    throw new ApiError(
      field === 'query.error' ? 'Unauthorized' : 'BadRequest',
      `GitHub sign-in failed: ${(error as Error).message}`,
      field,
    );
  }
  let accessToken: string;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(s.clientSecret),
      params,
      redirectUri,
      flow.verifier,
      requestOptions(s),
    );
    accessToken = (await oauth.processAuthorizationCodeResponse(as, client, response)).access_token;
  } catch (error) {
    throw new ApiError('Unauthorized', `GitHub did not accept the sign-in code: ${(error as Error).message}`, 'query.code');
  }
  const userResponse = await fetch(`${s.apiUrl}/user`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'slipway' },
  });
  if (!userResponse.ok) throw new ApiError('Unauthorized', `GitHub did not return the signed-in user (HTTP ${userResponse.status})`);
  const user = v.safeParse(GitHubUser, await userResponse.json());
  if (!user.success) throw new ApiError('Unauthorized', 'GitHub returned a user without a login and id');
  return user.output;
}
