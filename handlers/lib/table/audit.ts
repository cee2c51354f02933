import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { auditKey, auditPk } from './keys.js';

/** One audit log entry: `AUDIT#<YYYY-MM> / <at>#<unique>`. */
export const StoredAuditEntry = v.object({
  /** Who called: a login, or `admin` for the admin token. */
  actor: v.string(),
  /** What was done, e.g. `project.create`. */
  action: v.string(),
  /** What it was done to, e.g. `project:web` or `deployment:web/d-…`. */
  target: v.string(),
  status: v.number(),
  requestId: v.string(),
  at: v.string(),
  /** Epoch seconds. */
  expiresAt: v.number(),
});
export type AuditEntry = v.InferOutput<typeof StoredAuditEntry>;

/** Writes an entry under a fresh key; `unique` keeps two entries of the same instant apart. */
export async function putAuditEntry(entry: AuditEntry, unique: string): Promise<void> {
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...auditKey(entry.at, unique), entity: 'audit', ...entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Up to `limit` entries of one month (`YYYY-MM`, UTC), newest first, from after the entry whose
 * sort key is `after`; `last` is the sort key to go on from while the month has more.
 */
export async function queryAuditMonth(month: string, limit: number, after?: string): Promise<{ entries: AuditEntry[]; last?: string }> {
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: platformNames().table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditPk(month) },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
      ...(after ? { ExclusiveStartKey: { pk: auditPk(month), sk: after } } : {}),
    }),
  );
  const last = page.LastEvaluatedKey?.sk;
  return { entries: (page.Items ?? []).map((item) => v.parse(StoredAuditEntry, item)), ...(typeof last === 'string' ? { last } : {}) };
}
