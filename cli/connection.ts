import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

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

/** The API to talk to: SLIPWAY_API_URL + SLIPWAY_TOKEN, or the running local platform's files. */
export async function connect(): Promise<Connection> {
  if (process.env.SLIPWAY_API_URL && process.env.SLIPWAY_TOKEN) {
    const url = new URL(process.env.SLIPWAY_API_URL);
    return { apiUrl: url.href.replace(/\/$/, ''), token: process.env.SLIPWAY_TOKEN, port: url.port ? Number(url.port) : undefined };
  }
  const home = slipwayHome();
  let info: PlatformInfo;
  try {
    info = JSON.parse(await readFile(join(home, PLATFORM_FILE), 'utf8')) as PlatformInfo;
  } catch {
    throw new Error(`no running platform found in ${home}: start it with \`npm start\` (or set SLIPWAY_API_URL and SLIPWAY_TOKEN)`);
  }
  const token = (await readFile(join(home, ADMIN_TOKEN_FILE), 'utf8')).trim();
  return { apiUrl: info.apiUrl, token, port: info.port };
}

export function tenantUrl(project: string, port: number | undefined): string {
  return `http://${project}.localhost${port ? `:${port}` : ''}/`;
}
