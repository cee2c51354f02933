import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { projectPk, type TableKey } from './keys.js';

/**
 * One item of a project's partition, as deleting the project needs it: its key and, for a
 * deployment, its preview alias and whether its route entries were already pruned.
 */
export interface PartitionEntry extends TableKey {
  preview?: string;
  routeCache?: string;
}

/** Every item of a project's partition (META, deployments, pushes, settings, variables, domains, snapshots). */
export async function queryProjectPartition(project: string): Promise<PartitionEntry[]> {
  const entries: PartitionEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamoClient().send(
      new QueryCommand({
        TableName: platformNames().table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': projectPk(project) },
        ExclusiveStartKey: start,
        ProjectionExpression: 'pk, sk, #preview, routeCache',
        ExpressionAttributeNames: { '#preview': 'preview' },
      }),
    );
    for (const item of page.Items ?? []) {
      entries.push({
        pk: String(item.pk),
        sk: String(item.sk),
        ...(typeof item.preview === 'string' ? { preview: item.preview } : {}),
        ...(typeof item.routeCache === 'string' ? { routeCache: item.routeCache } : {}),
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return entries;
}

/** BatchWriteItem's limit of requests per call. */
const BATCH_SIZE = 25;

/** Deletes the items of these keys, 25 a call. */
export async function deleteItems(keys: TableKey[]): Promise<void> {
  const table = platformNames().table;
  for (let i = 0; i < keys.length; i += BATCH_SIZE) {
    const batch = keys.slice(i, i + BATCH_SIZE).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } }));
    await dynamoClient().send(new BatchWriteCommand({ RequestItems: { [table]: batch } }));
  }
}
