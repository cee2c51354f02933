import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { PROFILE, userKey as userItemKey } from './keys.js';
import { scanAll } from './pages.js';

/**
 * A user: `USER#<login> / PROFILE`, logins stored lowercase (GitHub's are case-insensitive).
 * Identity owns the item; subscriptions write only its `subscription*` attributes, and may do so
 * before the user exists, so an item without `login` is not a user.
 */
export interface UserItem<R extends string = string> {
  login: string;
  roles: R[];
  createdAt: string;
  createdBy: string;
  /** The subscription whose limits apply (absent: the default one). */
  subscription?: string;
  /** Set for users who signed in with GitHub. */
  githubId?: number;
  lastSignInAt?: string;
}

const userKey = (login: string) => userItemKey(login.toLowerCase());

// Loose: the item's subscription bookkeeping is read back as it is.
const StoredUser = v.looseObject({
  login: v.string(),
  roles: v.optional(v.array(v.string()), []),
  createdAt: v.string(),
  createdBy: v.string(),
  subscription: v.optional(v.string()),
  githubId: v.optional(v.number()),
  lastSignInAt: v.optional(v.string()),
});

function toUser<R extends string>(item: Record<string, unknown>): UserItem<R> {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  const user = v.parse(StoredUser, rest);
  // Which roles exist is the API's to know (handlers/api/identity/roles.ts); the table keeps strings.
  return { ...user, roles: user.roles as R[] };
}

export async function getUserItem<R extends string>(login: string): Promise<UserItem<R> | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: userKey(login), ConsistentRead: true }),
  );
  return Item?.login ? toUser<R>(Item) : undefined;
}

/** Makes the item a user; false when a user of that login exists (an item holding only a subscription is kept). */
export async function createUserItem<R extends string>(user: UserItem<R>): Promise<boolean> {
  const created = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: userKey(user.login),
        // An UPDATE, not a PUT: an admin may have assigned a subscription before the user existed.
        UpdateExpression: 'SET entity = :entity, login = :login, #roles = :roles, createdAt = :at, createdBy = :by',
        ConditionExpression: 'attribute_not_exists(login)',
        ExpressionAttributeNames: { '#roles': 'roles' },
        ExpressionAttributeValues: {
          ':entity': 'user',
          ':login': user.login.toLowerCase(),
          ':roles': user.roles,
          ':at': user.createdAt,
          ':by': user.createdBy,
        },
      }),
    ),
  );
  return created !== undefined;
}

/**
 * Records a GitHub sign-in: creates the user with `roles` on first sign-in and pins the GitHub id
 * then; undefined when the login is pinned to another GitHub id.
 */
export async function signInGitHubUser<R extends string>(
  login: string,
  githubId: number,
  roles: R[],
  at: string,
): Promise<UserItem<R> | undefined> {
  const updated = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: userKey(login),
        UpdateExpression:
          'SET entity = :entity, login = :login, #roles = if_not_exists(#roles, :roles), createdAt = if_not_exists(createdAt, :at), createdBy = if_not_exists(createdBy, :by), githubId = if_not_exists(githubId, :gid), lastSignInAt = :at',
        ConditionExpression: 'attribute_not_exists(githubId) OR githubId = :gid',
        ExpressionAttributeNames: { '#roles': 'roles' },
        ExpressionAttributeValues: {
          ':entity': 'user',
          ':login': login.toLowerCase(),
          ':roles': roles,
          ':at': at,
          ':by': 'github-sign-in',
          ':gid': githubId,
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return updated?.Attributes ? toUser<R>(updated.Attributes) : undefined;
}

/** Replaces a user's roles; undefined when there is no such user. */
export async function setUserItemRoles<R extends string>(login: string, roles: R[]): Promise<UserItem<R> | undefined> {
  const updated = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: userKey(login),
        UpdateExpression: 'SET #roles = :roles',
        ConditionExpression: 'attribute_exists(login)',
        ExpressionAttributeNames: { '#roles': 'roles' },
        ExpressionAttributeValues: { ':roles': roles },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return updated?.Attributes ? toUser<R>(updated.Attributes) : undefined;
}

/** False when there is no such user. */
export async function deleteUserItem(login: string): Promise<boolean> {
  const deleted = await conditionally(
    dynamoClient().send(
      new DeleteCommand({ TableName: platformNames().table, Key: userKey(login), ConditionExpression: 'attribute_exists(login)' }),
    ),
  );
  return deleted !== undefined;
}

/** Every user (a Scan: fine for the number of users a self-hosted platform has). */
export async function scanUserItems<R extends string>(): Promise<UserItem<R>[]> {
  const items = await scanAll({
    FilterExpression: 'sk = :profile AND attribute_exists(login)',
    ExpressionAttributeValues: { ':profile': PROFILE },
    ConsistentRead: true,
  });
  return items.map((item) => toUser<R>(item));
}

/** The `subscription` attribute of a login's item (which may exist before the user does). */
export async function getUserSubscriptionName(login: string): Promise<string | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({
      TableName: platformNames().table,
      Key: userItemKey(login),
      ProjectionExpression: 'subscription',
      ConsistentRead: true,
    }),
  );
  return typeof Item?.subscription === 'string' ? Item.subscription : undefined;
}

/** Writes only the `subscription*` attributes of a login's item (and `createdAt` when the item is new). */
export async function setUserSubscriptionName(login: string, name: string, by: string, at: string): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: userItemKey(login),
      UpdateExpression:
        'SET subscription = :name, subscriptionUpdatedAt = :now, subscriptionUpdatedBy = :by, createdAt = if_not_exists(createdAt, :now)',
      ExpressionAttributeValues: { ':name': name, ':now': at, ':by': by },
    }),
  );
}
