import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../lib/clients.js';
import { conditionally } from '../../lib/conditional-write.js';
import { platformNames } from '../../lib/config.js';
import type { PushDecision } from './branch-rules.js';

/** How long a delivery id is remembered (the table's TTL attribute `expiresAt`, epoch seconds). */
export const REPLAY_WINDOW_SECONDS = 7 * 24 * 60 * 60;

const deliveryKey = (delivery: string) => ({ pk: `WEBHOOK#${delivery}`, sk: 'DELIVERY' });

/**
 * Claims a delivery id; false when it was seen before (within the replay window). DynamoDB's
 * condition decides, so two concurrent copies of one delivery cannot both pass.
 */
export async function claimDelivery(delivery: string, event: string, now = new Date()): Promise<boolean> {
  const claimed = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: platformNames().table,
        Item: {
          ...deliveryKey(delivery),
          entity: 'webhook-delivery',
          event,
          receivedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + REPLAY_WINDOW_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return claimed !== undefined;
}

/** Gives a delivery id back when handling it failed, so GitHub's redelivery is not taken for a replay. */
export async function releaseDelivery(delivery: string): Promise<void> {
  await dynamoClient().send(new DeleteCommand({ TableName: platformNames().table, Key: deliveryKey(delivery) }));
}

export interface PushRecord {
  project: string;
  delivery: string;
  kind: PushDecision['kind'];
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

const pushKey = (project: string, delivery: string) => ({ pk: `PROJECT#${project}`, sk: `PUSH#${delivery}` });

/**
 * Records what one delivery started for one project as `PROJECT#<p> / PUSH#<delivery>`; false when
 * that delivery already started a deployment of this project (a redelivery after a partial failure).
 */
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

/** Whether a delivery already started a deployment of a project. */
export async function pushRecorded(project: string, delivery: string): Promise<boolean> {
  const { Item } = await dynamoClient().send(new GetCommand({ TableName: platformNames().table, Key: pushKey(project, delivery), ConsistentRead: true }));
  return Item !== undefined;
}
