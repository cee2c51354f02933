import { createHash, randomBytes } from 'node:crypto';
import { sameSecret } from '../../lib/same-secret.js';
import { type ApiTokenRecord, deleteApiToken, getApiTokenSecret, putApiToken, scanApiTokens } from '../../lib/table/api-tokens.js';
import { ApiError } from '../errors.js';

/**
 * API tokens: `slw_<id>_<secret>`. Only a SHA-256 of the secret is stored (handlers/lib/table/api-tokens.ts):
 * the secret is 32 random bytes, so a fast hash is enough — there is nothing to brute-force — and
 * a leaked table yields no usable token. The plaintext is shown once, when the token is issued.
 */
export const API_TOKEN = /^slw_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Issues a token for `user`; returns the plaintext once, with the stored record. */
export async function issueApiToken(
  user: string,
  label: string,
  createdBy: string,
  ttlDays?: number,
): Promise<{ token: string; record: ApiTokenRecord }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record: ApiTokenRecord = {
    id,
    user: user.toLowerCase(),
    label,
    createdAt: new Date().toISOString(),
    createdBy,
    // DynamoDB's TTL deletes the item some time after expiry; verify() checks the time itself.
    ...(ttlDays ? { expiresAt: Math.floor(Date.now() / 1000) + ttlDays * 86400 } : {}),
  };
  await putApiToken(record, hashOf(secret));
  return { token: `slw_${id}_${secret}`, record };
}

/** The user a token stands for, or undefined when it is unknown, revoked, expired or wrong. */
export async function verifyApiToken(token: string): Promise<string | undefined> {
  const match = API_TOKEN.exec(token);
  if (!match) return undefined;
  const [, id, secret] = match as unknown as [string, string, string];
  const stored = await getApiTokenSecret(id);
  if (!stored) return undefined;
  if (!sameSecret(stored.hash, hashOf(secret))) return undefined;
  if (stored.expiresAt !== undefined && stored.expiresAt * 1000 <= Date.now()) return undefined;
  return stored.user;
}

export async function listApiTokens(user?: string): Promise<ApiTokenRecord[]> {
  const tokens = await scanApiTokens(user?.toLowerCase());
  return tokens.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Revokes a token of `user` (or of anyone, when `user` is undefined). */
export async function revokeApiToken(id: string, user?: string): Promise<void> {
  const deleted = await deleteApiToken(id, user?.toLowerCase());
  if (!deleted) throw new ApiError('NotFound', `token ${id} does not exist`, 'path.token');
}

/** Removes every token of a user (when the user is deleted). */
export async function revokeAllApiTokens(user: string): Promise<void> {
  for (const token of await listApiTokens(user)) await revokeApiToken(token.id);
}
