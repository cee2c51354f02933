import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { apiTokenKey } from './keys.js';
import { scanAll } from './pages.js';

/** An API token as shown: `APITOKEN#<id> / META`; the item also holds the secret's hash. */
export const StoredApiToken = v.object({
  id: v.string(),
  user: v.string(),
  label: v.string(),
  createdAt: v.string(),
  createdBy: v.string(),
  /** Epoch seconds (TTL). */
  expiresAt: v.optional(v.number()),
});
export type ApiTokenRecord = v.InferOutput<typeof StoredApiToken>;

/** What verifying a token needs: the stored hash, who it stands for and when it expires. */
const StoredApiTokenSecret = v.object({ hash: v.string(), user: v.string(), expiresAt: v.optional(v.number()) });
export type ApiTokenSecret = v.InferOutput<typeof StoredApiTokenSecret>;

/** Stores a new token with the hash of its secret; a second token of the same id fails. */
export async function putApiToken(record: ApiTokenRecord, hash: string): Promise<void> {
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...apiTokenKey(record.id), entity: 'api-token', ...record, hash },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** A token's hash, user and expiry, or undefined when there is no such token (or its item is not a whole token). */
export async function getApiTokenSecret(id: string): Promise<ApiTokenSecret | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: apiTokenKey(id), ConsistentRead: true }),
  );
  const secret = v.safeParse(StoredApiTokenSecret, Item);
  return secret.success ? secret.output : undefined;
}

/** Every token, or every token of `user` (lowercase). */
export async function scanApiTokens(user?: string): Promise<ApiTokenRecord[]> {
  const items = await scanAll({
    FilterExpression: user ? 'entity = :entity AND #user = :user' : 'entity = :entity',
    ExpressionAttributeNames: user ? { '#user': 'user' } : undefined,
    ExpressionAttributeValues: { ':entity': 'api-token', ...(user ? { ':user': user } : {}) },
    ConsistentRead: true,
  });
  return items.map((item) => v.parse(StoredApiToken, item));
}

/** Deletes a token (only if it belongs to `user`, when given, lowercase); false when there was none. */
export async function deleteApiToken(id: string, user?: string): Promise<boolean> {
  const deleted = await conditionally(
    dynamoClient().send(
      new DeleteCommand({
        TableName: platformNames().table,
        Key: apiTokenKey(id),
        ConditionExpression: user ? 'attribute_exists(pk) AND #user = :user' : 'attribute_exists(pk)',
        ExpressionAttributeNames: user ? { '#user': 'user' } : undefined,
        ExpressionAttributeValues: user ? { ':user': user } : undefined,
      }),
    ),
  );
  return deleted !== undefined;
}
