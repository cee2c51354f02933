import { timingSafeEqual, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ApiError } from './errors.js';

export interface Caller {
  user: string;
  admin: boolean;
}

let adminToken: Promise<string> | undefined;

/** Locally the admin token lives in `$SLIPWAY_HOME/admin.token`; user identity arrives with the control-plane issue. */
function loadAdminToken(): Promise<string> {
  const file = process.env.SLIPWAY_ADMIN_TOKEN_FILE;
  if (!file) return Promise.reject(new ApiError('Unauthorized', 'this API has no admin token configured (SLIPWAY_ADMIN_TOKEN_FILE)'));
  adminToken ??= readFile(file, 'utf8').then((text) => text.trim());
  return adminToken;
}

/** Compares digests so neither length nor content leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export async function authenticate(authorization: string | undefined): Promise<Caller> {
  if (!authorization) throw new ApiError('Unauthorized', 'the Authorization header is missing: send "Authorization: Bearer <token>"');
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/.exec(authorization);
  if (!match) throw new ApiError('Unauthorized', 'the Authorization header must be "Bearer <token>"');
  const expected = await loadAdminToken();
  if (!sameSecret(match[1] as string, expected)) throw new ApiError('Unauthorized', 'the token is not valid');
  return { user: 'admin', admin: true };
}
