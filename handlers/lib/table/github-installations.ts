import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { githubInstallationKey as key } from './keys.js';
import { scanAll } from './pages.js';

/**
 * What each installation of the GitHub App grants: the account (login) that owns it and the
 * repositories it may read, kept from `installation` and `installation_repositories` webhooks.
 * `GHINSTALL#<id> / META`; names are stored lowercase (GitHub compares them without case), and
 * the repositories as a string set so additions and removals are single atomic updates.
 */
export interface InstallationGrant {
  installationId: number;
  account: string;
  repositories: string[];
  suspended?: boolean;
}

const ENTITY = 'github-installation';

// The document client reads a string set back as a Set; an emptied set is no attribute at all.
const StoredInstallation = v.object({
  installationId: v.number(),
  account: v.string(),
  repositories: v.optional(v.set(v.string()), () => new Set<string>()),
  suspended: v.optional(v.boolean()),
});

const lower = (names: readonly string[]) => [...new Set(names.map((name) => name.toLowerCase()))];

/** The App was installed: replaces whatever was known of this installation. */
export async function putInstallation(id: number, account: string, repositories: readonly string[]): Promise<void> {
  const repos = lower(repositories);
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: {
        ...key(id),
        entity: ENTITY,
        installationId: id,
        account: account.toLowerCase(),
        updatedAt: new Date().toISOString(),
        ...(repos.length ? { repositories: new Set(repos) } : {}),
      },
    }),
  );
}

export async function deleteInstallation(id: number): Promise<void> {
  await dynamoClient().send(new DeleteCommand({ TableName: platformNames().table, Key: key(id) }));
}

/** Suspending keeps the grants but makes them count for nothing until unsuspended; an unknown installation is left alone. */
export async function setInstallationSuspended(id: number, suspended: boolean): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: key(id),
        UpdateExpression: suspended ? 'SET suspended = :true' : 'REMOVE suspended',
        ConditionExpression: 'attribute_exists(pk)',
        ...(suspended ? { ExpressionAttributeValues: { ':true': true } } : {}),
      }),
    ),
  );
}

/** Repositories were added to or removed from an installation (which is created if it was missed). */
export async function changeInstallationRepositories(
  id: number,
  account: string,
  added: readonly string[],
  removed: readonly string[],
): Promise<void> {
  const add = lower(added);
  const remove = lower(removed);
  // DynamoDB refuses ADD and DELETE of one attribute in one update: removals go second.
  if (add.length && remove.length) {
    await changeInstallationRepositories(id, account, add, []);
    await changeInstallationRepositories(id, account, [], remove);
    return;
  }
  const values: Record<string, unknown> = {
    ':account': account.toLowerCase(),
    ':at': new Date().toISOString(),
    ':entity': ENTITY,
    ':id': id,
  };
  const clauses = ['SET account = :account, updatedAt = :at, entity = :entity, installationId = :id'];
  if (add.length) {
    clauses.push('ADD repositories :add');
    values[':add'] = new Set(add);
  }
  if (remove.length) {
    clauses.push('DELETE repositories :remove');
    values[':remove'] = new Set(remove);
  }
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: key(id),
      UpdateExpression: clauses.join(' '),
      ExpressionAttributeValues: values,
    }),
  );
}

/** The installations a GitHub login owns, by id (a Scan with a filter; a GSI on `account` when installations are many). */
export async function installationsOwnedBy(login: string): Promise<InstallationGrant[]> {
  const items = await scanAll({
    FilterExpression: 'entity = :entity AND account = :account',
    ExpressionAttributeValues: { ':entity': ENTITY, ':account': login.toLowerCase() },
    ConsistentRead: true,
  });
  const grants: InstallationGrant[] = items.map((item) => {
    const stored = v.parse(StoredInstallation, item);
    return {
      installationId: stored.installationId,
      account: stored.account,
      repositories: [...stored.repositories].sort(),
      ...(stored.suspended ? { suspended: true } : {}),
    };
  });
  return grants.sort((a, b) => a.installationId - b.installationId);
}
