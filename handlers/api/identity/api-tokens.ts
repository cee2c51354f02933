import { createHash, randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scanAll } from '../../lib/dynamo-pages.js';
import { dynamoClient } from '../../lib/clients.js';
import { conditionally } from '../../lib/conditional-write.js';
import { platformNames } from '../../lib/config.js';
import { sameSecret } from '../../lib/same-secret.js';
import { ApiError } from '../errors.js';
import { apiTokenKey } from '../../lib/table/keys.js';

/**
 * API tokens: `slw_<id>_<secret>`. Only a SHA-256 of the secret is stored (`pk APITOKEN#<id>`):
 * the secret is 32 random bytes, so a fast hash is enough — there is nothing to brute-force — and
 * a leaked table yields no usable token. The plaintext is shown once, when the token is issued.
 */
export const API_TOKEN = /^slw_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ApiTokenRecord {
  id: string;
  user: string;
  label: string;
  createdAt: string;
  createdBy: string;
  expiresAt?: number;
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

function toToken(item: Record<string, unknown>): ApiTokenRecord {
  const { id, user, label, createdAt, createdBy, expiresAt } = item as unknown as ApiTokenRecord;
  return { id, user, label, createdAt, createdBy, ...(expiresAt ? { expiresAt } : {}) };
}

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
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...apiTokenKey(id), entity: 'api-token', ...record, hash: hashOf(secret) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { token: `slw_${id}_${secret}`, record };
}

/** The user a token stands for, or undefined when it is unknown, revoked, expired or wrong. */
export async function verifyApiToken(token: string): Promise<string | undefined> {
  const match = API_TOKEN.exec(token);
  if (!match) return undefined;
  const [, id, secret] = match as unknown as [string, string, string];
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: apiTokenKey(id), ConsistentRead: true }),
  );
  if (!Item || typeof Item.hash !== 'string') return undefined;
  if (!sameSecret(Item.hash, hashOf(secret))) return undefined;
  if (typeof Item.expiresAt === 'number' && Item.expiresAt * 1000 <= Date.now()) return undefined;
  return Item.user as string;
}

export async function listApiTokens(user?: string): Promise<ApiTokenRecord[]> {
  const items = await scanAll({
    FilterExpression: user ? 'entity = :entity AND #user = :user' : 'entity = :entity',
    ExpressionAttributeNames: user ? { '#user': 'user' } : undefined,
    ExpressionAttributeValues: { ':entity': 'api-token', ...(user ? { ':user': user.toLowerCase() } : {}) },
    ConsistentRead: true,
  });
  return items.map(toToken).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Revokes a token of `user` (or of anyone, when `user` is undefined). */
export async function revokeApiToken(id: string, user?: string): Promise<void> {
  const deleted = await conditionally(
    dynamoClient().send(
      new DeleteCommand({
        TableName: platformNames().table,
        Key: apiTokenKey(id),
        ConditionExpression: user ? 'attribute_exists(pk) AND #user = :user' : 'attribute_exists(pk)',
        ExpressionAttributeNames: user ? { '#user': 'user' } : undefined,
        ExpressionAttributeValues: user ? { ':user': user.toLowerCase() } : undefined,
      }),
    ),
  );
  if (!deleted) throw new ApiError('NotFound', `token ${id} does not exist`, 'path.token');
}

/** Removes every token of a user (when the user is deleted). */
export async function revokeAllApiTokens(user: string): Promise<void> {
  for (const token of await listApiTokens(user)) await revokeApiToken(token.id);
}
