import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { queryAll } from '../table/pages.js';
import { platformNames } from '../config.js';
import { conditionally } from '../table/conditional-write.js';
import { ENV_TARGETS, ProjectSettings, type EnvTarget, type SettingsPatch } from './schemas.js';
import { DOMAIN_PREFIX, ENV_PREFIX, domainClaimKey, domainKey, envKey, projectPk, runtimeEnvKey, settingsKey } from '../table/keys.js';

/**
 * Items of a project's settings, in the project's partition (deleting the project removes them):
 * - `SETTINGS`: build/install command, root directory, Node version;
 * - `ENV#<KEY>`: one variable; a secret holds only `sealed` (AES-256-GCM, see secret-box.ts);
 * - `DOMAIN#<host>`: one custom domain, whose uniqueness is the global item `DOMAIN#<host>` / `CLAIM`;
 * - `RUNENV#<deploymentId>`: the runtime variables a deployment was built with (still sealed).
 */

export interface EnvItem {
  key: string;
  target: EnvTarget;
  secret: boolean;
  /** Plain variables only. */
  value?: string;
  /** Secrets only: `sealSecret(value, envKey, secretContext(project, key))`. */
  sealed?: string;
  updatedAt: string;
  updatedBy: string;
}

const StoredEnv = v.object({
  key: v.string(),
  target: v.picklist(ENV_TARGETS),
  secret: v.boolean(),
  value: v.optional(v.string()),
  sealed: v.optional(v.string()),
  updatedAt: v.string(),
  updatedBy: v.string(),
});

/** The associated data of a sealed secret: it opens only for this project and name. */
export const secretContext = (project: string, key: string) => `${project}/${key}`;

export async function getSettings(project: string): Promise<ProjectSettings> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: settingsKey(project), ConsistentRead: true }),
  );
  // Only the known fields: the item also holds keys and bookkeeping.
  return Item
    ? v.parse(ProjectSettings, {
        buildCommand: Item.buildCommand,
        installCommand: Item.installCommand,
        rootDirectory: Item.rootDirectory,
        nodeVersion: Item.nodeVersion,
      })
    : {};
}

/** Sets the given fields and removes the null ones; the settings after the change. */
export async function updateSettings(project: string, patch: SettingsPatch, by: string): Promise<ProjectSettings> {
  const set: string[] = ['updatedAt = :at', 'updatedBy = :by'];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':at': new Date().toISOString(), ':by': by };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) remove.push(field);
    else if (value !== undefined) {
      set.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: settingsKey(project),
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ExpressionAttributeValues: values,
    }),
  );
  return getSettings(project);
}

async function queryPrefix(project: string, prefix: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(project), ':prefix': prefix },
    ConsistentRead: true,
  });
}

export async function listEnv(project: string): Promise<EnvItem[]> {
  return (await queryPrefix(project, ENV_PREFIX)).map((item) => v.parse(StoredEnv, item)).sort((a, b) => a.key.localeCompare(b.key));
}

export async function putEnv(project: string, item: EnvItem): Promise<void> {
  await dynamoClient().send(
    new PutCommand({ TableName: platformNames().table, Item: { ...envKey(project, item.key), entity: 'env', ...item } }),
  );
}

/** False when there was no such variable. */
export async function deleteEnv(project: string, key: string): Promise<boolean> {
  const deleted = await conditionally(
    dynamoClient().send(
      new DeleteCommand({ TableName: platformNames().table, Key: envKey(project, key), ConditionExpression: 'attribute_exists(pk)' }),
    ),
  );
  return deleted !== undefined;
}

// ---- runtime snapshot of a deployment ----

export interface RuntimeVariable {
  key: string;
  value?: string;
  sealed?: string;
}

export async function putRuntimeSnapshot(project: string, deploymentId: string, variables: RuntimeVariable[]): Promise<void> {
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...runtimeEnvKey(project, deploymentId), entity: 'runtime-env', variables },
    }),
  );
}

export async function getRuntimeSnapshot(project: string, deploymentId: string): Promise<RuntimeVariable[]> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: runtimeEnvKey(project, deploymentId), ConsistentRead: true }),
  );
  return (Item?.variables as RuntimeVariable[] | undefined) ?? [];
}

// ---- custom domains ----

export interface DomainItem {
  domain: string;
  project: string;
  createdAt: string;
  createdBy: string;
}

export async function listDomains(project: string): Promise<DomainItem[]> {
  return (await queryPrefix(project, DOMAIN_PREFIX))
    .map((item) => ({
      domain: String(item.domain),
      project: String(item.project),
      createdAt: String(item.createdAt),
      createdBy: String(item.createdBy),
    }))
    .sort((a, b) => a.domain.localeCompare(b.domain));
}

/**
 * Claims the host for the project (a conditional put on the global `DOMAIN#<host>` item, so two
 * projects cannot both hold it), then records it under the project. The project of an existing
 * claim, when the host is taken.
 */
export async function claimDomain(item: DomainItem): Promise<{ ok: true } | { ok: false; heldBy: string }> {
  const table = platformNames().table;
  const claimed = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: table,
        Item: { ...domainClaimKey(item.domain), entity: 'domain-claim', ...item },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (!claimed) {
    const { Item } = await dynamoClient().send(
      new GetCommand({ TableName: table, Key: domainClaimKey(item.domain), ConsistentRead: true }),
    );
    return { ok: false, heldBy: String(Item?.project ?? 'another project') };
  }
  try {
    await dynamoClient().send(
      new PutCommand({ TableName: table, Item: { ...domainKey(item.project, item.domain), entity: 'domain', ...item } }),
    );
  } catch (error) {
    await releaseDomainClaim(item.domain, item.project);
    throw error;
  }
  return { ok: true };
}

/** Removes the project's record, then its claim; false when the project did not hold the host. */
export async function removeDomain(project: string, domain: string): Promise<boolean> {
  const table = platformNames().table;
  const removed = await conditionally(
    dynamoClient().send(
      new DeleteCommand({ TableName: table, Key: domainKey(project, domain), ConditionExpression: 'attribute_exists(pk)' }),
    ),
  );
  if (!removed) return false;
  await releaseDomainClaim(domain, project);
  return true;
}

/** Deletes the global claim only if this project holds it. */
export async function releaseDomainClaim(domain: string, project: string): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new DeleteCommand({
        TableName: platformNames().table,
        Key: domainClaimKey(domain),
        ConditionExpression: '#project = :project',
        ExpressionAttributeNames: { '#project': 'project' },
        ExpressionAttributeValues: { ':project': project },
      }),
    ),
  );
}
