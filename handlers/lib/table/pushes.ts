import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { pushKey } from './keys.js';

/** What one webhook delivery started for one project: `PROJECT#<p> / PUSH#<delivery>`. */
export interface PushRecord {
  project: string;
  delivery: string;
  kind: 'production' | 'preview';
  alias?: string;
  branch: string;
  commit: string;
  repository: string;
  installationId: number;
  /** STARTED: build-and-deploy was started for it as `deploymentId`. */
  status: 'STARTED';
  deploymentId: string;
  /** A fork's pull request: built without secrets. */
  withholdSecrets?: boolean;
  createdAt: string;
}

/** Writes the record; false when that delivery already has one for this project. */
export async function putPushRecord(record: PushRecord): Promise<boolean> {
  const put = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: platformNames().table,
        Item: { ...pushKey(record.project, record.delivery), entity: 'push', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return put !== undefined;
}

/** Whether a record exists for that delivery and project. */
export async function pushRecorded(project: string, delivery: string): Promise<boolean> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: pushKey(project, delivery), ConsistentRead: true }),
  );
  return Item !== undefined;
}
