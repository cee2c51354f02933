import { ApiCallError, ApiClient } from '../api-client.js';
import { apiBaseUrl, localPlatform, slipwayHome } from '../connection.js';
import { readCredentials, removeCredentials, writeCredentials } from '../credentials.js';
import { printResult } from '../output.js';
import { askHidden, readStdin } from '../prompt.js';
import { UsageError } from '../usage-error.js';

/** Where the token comes from: --token (`-` reads stdin), SLIPWAY_TOKEN, stdin when piped, a hidden prompt on a terminal. */
async function tokenFor(given: string | undefined, apiUrl: string): Promise<string> {
  if (given === '-') return (await readStdin()).trim();
  if (given) return given;
  if (process.env.SLIPWAY_TOKEN) return process.env.SLIPWAY_TOKEN;
  if (process.stdin.isTTY) return askHidden(`API token for ${apiUrl}: `);
  const piped = (await readStdin()).trim();
  if (piped) return piped;
  throw new UsageError(`login needs a token: pipe it in, set SLIPWAY_TOKEN, or add --token TOKEN`);
}

/**
 * `slipway login [URL] [--token TOKEN]`: checks the token against the API (`GET /me`) and stores
 * URL and token in the user's config directory. Without URL and token: the local platform running in
 * $SLIPWAY_HOME (default ./.slipway), with its admin token.
 */
export async function loginCommand(args: { url?: string; token?: string; json: boolean }): Promise<number> {
  let apiUrl: string;
  let token: string;
  if (args.url) {
    try {
      apiUrl = apiBaseUrl(args.url);
    } catch {
      throw new UsageError(`URL "${args.url}" is not a URL: slipway login https://slipway.example.com`);
    }
    token = await tokenFor(args.token, apiUrl);
  } else {
    const local = await localPlatform();
    if (!local) {
      throw new UsageError(
        `login needs the platform's URL (no local platform runs in ${slipwayHome()}): slipway login https://slipway.example.com`,
      );
    }
    apiUrl = local.apiUrl;
    token = args.token || process.env.SLIPWAY_TOKEN ? await tokenFor(args.token, apiUrl) : local.token;
  }
  if (!token) throw new UsageError('login needs a token: the one given is empty');
  let me: { user: string; via: string; roles: string[] };
  try {
    me = await new ApiClient({ apiUrl, token, port: undefined }).get('/me');
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 401)
      throw new Error(`${apiUrl} refused the token: check it, or ask an admin for a new one`);
    throw error;
  }
  const file = await writeCredentials({ apiUrl, token, user: me.user });
  printResult(args.json, { apiUrl, user: me.user, roles: me.roles, credentials: file }, () => [
    `slipway: signed in to ${apiUrl} as ${me.user}${me.roles.length ? ` (${me.roles.join(', ')})` : ''}; credentials in ${file}`,
  ]);
  return 0;
}

/** `slipway logout`: removes the stored credentials (the token itself stays valid until revoked). */
export async function logoutCommand(args: { json: boolean }): Promise<number> {
  const stored = await readCredentials().catch(() => undefined);
  const removed = await removeCredentials();
  printResult(args.json, { removed, ...(stored ? { apiUrl: stored.apiUrl } : {}) }, () => [
    removed
      ? `slipway: signed out of ${stored?.apiUrl ?? 'the platform'} (the token stays valid until revoked: slipway tokens revoke ID)`
      : 'slipway: not signed in; nothing to remove',
  ]);
  return 0;
}
