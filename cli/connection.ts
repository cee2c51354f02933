import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readCredentials } from './credentials.js';

/** Where the local platform keeps its state: `$SLIPWAY_HOME`, default `./.slipway`. */
export function slipwayHome(): string {
  return resolve(process.env.SLIPWAY_HOME ?? '.slipway');
}

export interface PlatformInfo {
  url: string;
  apiUrl: string;
  port: number;
  pid: number;
}

export const PLATFORM_FILE = 'platform.json';
export const ADMIN_TOKEN_FILE = 'admin.token';

export interface Connection {
  apiUrl: string;
  token: string;
  /** Tenant URLs are `http://NAME.localhost:PORT/`. */
  port: number | undefined;
}

/** The API's base URL for what a user typed: `https://slipway.example.com` answers at `/api/v1` below it. */
export function apiBaseUrl(given: string): string {
  const url = new URL(given);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/api/v1') ? path : `${path}/api/v1`;
  return url.href.replace(/\/$/, '');
}

function at(apiUrl: string, token: string): Connection {
  const url = new URL(apiUrl);
  return { apiUrl: apiBaseUrl(apiUrl), token, port: url.port ? Number(url.port) : undefined };
}

/** The running local platform of $SLIPWAY_HOME (default ./.slipway), with its admin token; undefined when none runs there. */
export async function localPlatform(): Promise<Connection | undefined> {
  const home = slipwayHome();
  let info: PlatformInfo;
  try {
    info = JSON.parse(await readFile(join(home, PLATFORM_FILE), 'utf8')) as PlatformInfo;
  } catch {
    return undefined;
  }
  const token = (await readFile(join(home, ADMIN_TOKEN_FILE), 'utf8')).trim();
  return { apiUrl: info.apiUrl, token, port: info.port };
}

const NOT_SIGNED_IN =
  'not signed in: run `slipway login URL` (or start the local platform with `npm start` in the Slipway checkout and run `slipway login` there)';

/**
 * The API to talk to, first match wins (documented in `slipway help login`): SLIPWAY_API_URL with
 * SLIPWAY_TOKEN; SLIPWAY_TOKEN alone with the URL `slipway login` stored (else the local platform's);
 * the local platform of an explicit $SLIPWAY_HOME; the stored credentials; the local platform of ./.slipway.
 */
export async function connect(): Promise<Connection> {
  const envUrl = process.env.SLIPWAY_API_URL || undefined;
  const envToken = process.env.SLIPWAY_TOKEN || undefined;
  if (envUrl && envToken) return at(envUrl, envToken);
  const stored = await readCredentials();
  if (envToken) {
    if (stored) return at(stored.apiUrl, envToken);
    const local = await localPlatform();
    if (local) return { ...local, token: envToken };
    throw new Error('SLIPWAY_TOKEN is set but no platform URL is known: set SLIPWAY_API_URL too, or run `slipway login URL` once');
  }
  if (envUrl) {
    if (stored && apiBaseUrl(stored.apiUrl) === apiBaseUrl(envUrl)) return at(stored.apiUrl, stored.token);
    throw new Error(`SLIPWAY_API_URL needs SLIPWAY_TOKEN (or run \`slipway login ${envUrl}\`)`);
  }
  // A platform home named in the environment is a deliberate choice, over the stored sign-in.
  const local = await localPlatform();
  if (local && process.env.SLIPWAY_HOME) return local;
  if (stored) return at(stored.apiUrl, stored.token);
  if (local) return local;
  throw new Error(NOT_SIGNED_IN);
}

export function tenantUrl(project: string, port: number | undefined): string {
  return `http://${project}.localhost${port ? `:${port}` : ''}/`;
}
