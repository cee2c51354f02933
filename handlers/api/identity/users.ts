import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { scanAll } from '../../lib/dynamo-pages.js';
import { dynamoClient } from '../../lib/clients.js';
import { conditionally } from '../../lib/conditional-write.js';
import { platformNames } from '../../lib/config.js';
import { ApiError } from '../errors.js';
import type { Role } from './roles.js';
import { PROFILE, userKey as userItemKey } from '../../lib/table/keys.js';

/** A user: `pk USER#<login>`, `sk PROFILE`. Logins are stored lowercase (GitHub's are case-insensitive). */
export interface UserRecord {
  login: string;
  roles: Role[];
  createdAt: string;
  createdBy: string;
  /** The subscription whose limits apply (absent: the default one). */
  subscription?: string;
  /** Set for users who signed in with GitHub. */
  githubId?: number;
  lastSignInAt?: string;
}

const userKey = (login: string) => userItemKey(login.toLowerCase());

function toUser(item: Record<string, unknown>): UserRecord {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  const user = rest as unknown as UserRecord;
  return { ...user, roles: user.roles ?? [] };
}

export async function getUser(login: string): Promise<UserRecord | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: userKey(login), ConsistentRead: true }),
  );
  // An item that only holds a subscription (written before the user existed) is not a user.
  return Item && Item.login ? toUser(Item) : undefined;
}

export async function requireUser(login: string, field = 'path.login'): Promise<UserRecord> {
  const user = await getUser(login);
  if (!user) throw new ApiError('NotFound', `user ${login} does not exist`, field);
  return user;
}

/** Creates a user; a second create of the same login is a conflict, decided by DynamoDB. */
export async function createUser(login: string, roles: Role[], createdBy: string): Promise<UserRecord> {
  const record: UserRecord = { login: login.toLowerCase(), roles: [...new Set(roles)], createdAt: new Date().toISOString(), createdBy };
  const created = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: userKey(login),
        // An UPDATE, not a PUT: an admin may have assigned a subscription before the user existed.
        UpdateExpression: 'SET entity = :entity, login = :login, #roles = :roles, createdAt = :at, createdBy = :by',
        ConditionExpression: 'attribute_not_exists(login)',
        ExpressionAttributeNames: { '#roles': 'roles' },
        ExpressionAttributeValues: {
          ':entity': 'user',
          ':login': record.login,
          ':roles': record.roles,
          ':at': record.createdAt,
          ':by': createdBy,
        },
      }),
    ),
  );
  if (!created) throw new ApiError('Conflict', `user ${login} already exists`, 'body.login');
  return record;
}

/**
 * The user a GitHub sign-in stands for: created with the `user` role on first sign-in; the GitHub
 * id is pinned on first sign-in, so a renamed-and-reused login cannot take over an account.
 */
export async function userForGitHubSignIn(login: string, githubId: number): Promise<UserRecord> {
  const now = new Date().toISOString();
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
          ':roles': ['user'],
          ':at': now,
          ':by': 'github-sign-in',
          ':gid': githubId,
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (!updated?.Attributes) throw new ApiError('Forbidden', `the login ${login} belongs to another GitHub account`);
  return toUser(updated.Attributes);
}

export async function setUserRoles(login: string, roles: Role[]): Promise<UserRecord> {
  const updated = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: userKey(login),
        UpdateExpression: 'SET #roles = :roles',
        ConditionExpression: 'attribute_exists(login)',
        ExpressionAttributeNames: { '#roles': 'roles' },
        ExpressionAttributeValues: { ':roles': [...new Set(roles)] },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (!updated?.Attributes) throw new ApiError('NotFound', `user ${login} does not exist`, 'path.login');
  return toUser(updated.Attributes);
}

export async function deleteUser(login: string): Promise<void> {
  const deleted = await conditionally(
    dynamoClient().send(
      new DeleteCommand({ TableName: platformNames().table, Key: userKey(login), ConditionExpression: 'attribute_exists(login)' }),
    ),
  );
  if (!deleted) throw new ApiError('NotFound', `user ${login} does not exist`, 'path.login');
}

/** Every user (a Scan: fine for the number of users a self-hosted platform has). */
export async function listUsers(): Promise<UserRecord[]> {
  const items = await scanAll({
    FilterExpression: 'sk = :profile AND attribute_exists(login)',
    ExpressionAttributeValues: { ':profile': PROFILE },
    ConsistentRead: true,
  });
  return items.map(toUser).sort((a, b) => a.login.localeCompare(b.login));
}
