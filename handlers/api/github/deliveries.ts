import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../lib/clients.js';
import { conditionally } from '../../lib/conditional-write.js';
import { platformNames } from '../../lib/config.js';
import type { PushDecision } from './branch-rules.js';
import { pushKey, webhookBodyKey, webhookDeliveryKey } from '../../lib/table/keys.js';

/** How long a delivery id is remembered (the table's TTL attribute `expiresAt`, epoch seconds). */
export const REPLAY_WINDOW_SECONDS = 7 * 24 * 60 * 60;

/**
 * How long an applied body is remembered. GitHub signs the body only, so a captured delivery can be
 * re-sent under a new delivery id; its digest outlives the delivery id by far (a few hundred bytes
 * per delivery), and a body older than this that someone kept is the remaining window.
 */
export const BODY_REPLAY_WINDOW_SECONDS = 90 * 24 * 60 * 60;

/** The SHA-256 (hex) of a delivery's body exactly as signed: what identifies it across delivery ids. */
export function bodyDigest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** One conditional put: false when the key is already held. */
async function claim(key: { pk: string; sk: string }, attributes: Record<string, unknown>): Promise<boolean> {
  const claimed = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: platformNames().table,
        Item: { ...key, ...attributes },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return claimed !== undefined;
}

/**
 * Claims a delivery id; false when it was seen before (within the replay window). DynamoDB's
 * condition decides, so two concurrent copies of one delivery cannot both pass. With `digest`
 * (deliveries that change something), the body is claimed too: false as well when the same signed
 * body was already applied under another delivery id.
 */
export async function claimDelivery(delivery: string, event: string, digest?: string, now = new Date()): Promise<boolean> {
  const receivedAt = now.toISOString();
  const epoch = Math.floor(now.getTime() / 1000);
  if (
    !(await claim(webhookDeliveryKey(delivery), {
      entity: 'webhook-delivery',
      event,
      receivedAt,
      expiresAt: epoch + REPLAY_WINDOW_SECONDS,
    }))
  )
    return false;
  if (digest === undefined) return true;
  try {
    // The delivery id stays claimed when the body is a replay: that id carried a body already applied.
    return await claim(webhookBodyKey(digest), {
      entity: 'webhook-body',
      event,
      delivery,
      receivedAt,
      expiresAt: epoch + BODY_REPLAY_WINDOW_SECONDS,
    });
  } catch (error) {
    await releaseDelivery(delivery);
    throw error;
  }
}

/** Gives a delivery id (and its body) back when handling it failed, so GitHub's redelivery is not taken for a replay. */
export async function releaseDelivery(delivery: string, digest?: string): Promise<void> {
  await dynamoClient().send(new DeleteCommand({ TableName: platformNames().table, Key: webhookDeliveryKey(delivery) }));
  if (digest !== undefined) await dynamoClient().send(new DeleteCommand({ TableName: platformNames().table, Key: webhookBodyKey(digest) }));
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
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: pushKey(project, delivery), ConsistentRead: true }),
  );
  return Item !== undefined;
}
