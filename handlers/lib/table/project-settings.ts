import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { ENV_TARGETS, ProjectSettings, type SettingsPatch } from '../project-settings/schemas.js';
import { conditionally } from './conditional-write.js';
import { ENV_PREFIX, envKey, projectPk, runtimeEnvKey, settingsKey } from './keys.js';
import { queryAll } from './pages.js';

/**
 * A project's settings items, in the project's partition (deleting the project removes them):
 * - `SETTINGS`: build/install command, root directory, Node version;
 * - `ENV#<KEY>`: one variable; a secret holds only `sealed` (AES-256-GCM, see secret-box.ts);
 * - `RUNENV#<deploymentId>`: the runtime variables a deployment was built with (still sealed).
 */

export async function getSettingsItem(project: string): Promise<ProjectSettings> {
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

/** Sets the given fields and removes the null ones, and who changed them when. */
export async function updateSettingsItem(project: string, patch: SettingsPatch, by: string, at: string): Promise<void> {
  const set: string[] = ['updatedAt = :at', 'updatedBy = :by'];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':at': at, ':by': by };
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
}

const StoredEnv = v.object({
  key: v.string(),
  target: v.picklist(ENV_TARGETS),
  secret: v.boolean(),
  /** Plain variables only. */
  value: v.optional(v.string()),
  /** Secrets only: `sealSecret(value, envKey, secretContext(project, key))`. */
  sealed: v.optional(v.string()),
  updatedAt: v.string(),
  updatedBy: v.string(),
});
export type EnvItem = v.InferOutput<typeof StoredEnv>;

/** A project's variables, in the table's order (by name as DynamoDB sorts it). */
export async function queryEnvItems(project: string): Promise<EnvItem[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(project), ':prefix': ENV_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => v.parse(StoredEnv, item));
}

export async function putEnvItem(project: string, item: EnvItem): Promise<void> {
  await dynamoClient().send(
    new PutCommand({ TableName: platformNames().table, Item: { ...envKey(project, item.key), entity: 'env', ...item } }),
  );
}

/** False when there was no such variable. */
export async function deleteEnvItem(project: string, key: string): Promise<boolean> {
  const deleted = await conditionally(
    dynamoClient().send(
      new DeleteCommand({ TableName: platformNames().table, Key: envKey(project, key), ConditionExpression: 'attribute_exists(pk)' }),
    ),
  );
  return deleted !== undefined;
}

const RuntimeVariable = v.object({ key: v.string(), value: v.optional(v.string()), sealed: v.optional(v.string()) });
export type RuntimeVariable = v.InferOutput<typeof RuntimeVariable>;
const StoredRuntimeEnv = v.object({ variables: v.optional(v.array(RuntimeVariable), []) });

export async function putRuntimeEnvItem(project: string, deploymentId: string, variables: RuntimeVariable[]): Promise<void> {
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...runtimeEnvKey(project, deploymentId), entity: 'runtime-env', variables },
    }),
  );
}

/** The runtime variables of a deployment; none when it has no snapshot. */
export async function getRuntimeEnvItem(project: string, deploymentId: string): Promise<RuntimeVariable[]> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: runtimeEnvKey(project, deploymentId), ConsistentRead: true }),
  );
  return Item ? v.parse(StoredRuntimeEnv, Item).variables : [];
}
