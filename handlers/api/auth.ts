import { readFile } from 'node:fs/promises';
import { cachedUntilFailure, secretString } from '../lib/secrets.js';
import { sameSecret } from '../lib/same-secret.js';
import { ApiError } from './errors.js';

export interface Caller {
  user: string;
  admin: boolean;
}

/**
 * The admin token: from Secrets Manager on AWS (SLIPWAY_ADMIN_TOKEN_SECRET_ARN, a secret the
 * internal system generates), from `$SLIPWAY_HOME/admin.token` locally (SLIPWAY_ADMIN_TOKEN_FILE).
 * User identity arrives with the control-plane issue. A failed load is not cached.
 */
const adminToken = cachedUntilFailure(async () => {
  const secretArn = process.env.SLIPWAY_ADMIN_TOKEN_SECRET_ARN;
  const file = process.env.SLIPWAY_ADMIN_TOKEN_FILE;
  if (!secretArn && !file) {
    throw new ApiError('Unauthorized', 'this API has no admin token configured (SLIPWAY_ADMIN_TOKEN_SECRET_ARN or SLIPWAY_ADMIN_TOKEN_FILE)');
  }
  const token = (secretArn ? await secretString(secretArn, 'the admin token secret') : await readFile(file as string, 'utf8')).trim();
  if (!token) throw new Error('the admin token is empty');
  return token;
});

export async function authenticate(authorization: string | undefined): Promise<Caller> {
  if (!authorization) throw new ApiError('Unauthorized', 'the Authorization header is missing: send "Authorization: Bearer <token>"');
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/.exec(authorization);
  if (!match) throw new ApiError('Unauthorized', 'the Authorization header must be "Bearer <token>"');
  const expected = await adminToken.get();
  if (!sameSecret(expected, match[1])) throw new ApiError('Unauthorized', 'the token is not valid');
  return { user: 'admin', admin: true };
}
