import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { type TableKey, webhookBodyKey, webhookDeliveryKey } from './keys.js';

/** A delivery id seen: `WEBHOOK#<delivery> / DELIVERY`, removed by TTL after the replay window. */
export interface WebhookDeliveryItem {
  event: string;
  receivedAt: string;
  /** Epoch seconds (TTL). */
  expiresAt: number;
}

/** A signed body applied: `WEBHOOK-BODY#<sha256> / BODY`. */
export interface WebhookBodyItem extends WebhookDeliveryItem {
  delivery: string;
}

/** One conditional put: false when the key is already held. */
async function putIfAbsent(key: TableKey, attributes: Record<string, unknown>): Promise<boolean> {
  const put = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: platformNames().table,
        Item: { ...key, ...attributes },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return put !== undefined;
}

/** Claims a delivery id; false when it is already held. */
export function putWebhookDeliveryIfAbsent(delivery: string, item: WebhookDeliveryItem): Promise<boolean> {
  return putIfAbsent(webhookDeliveryKey(delivery), { entity: 'webhook-delivery', ...item });
}

/** Claims a body digest; false when it is already held. */
export function putWebhookBodyIfAbsent(digest: string, item: WebhookBodyItem): Promise<boolean> {
  return putIfAbsent(webhookBodyKey(digest), { entity: 'webhook-body', ...item });
}

export async function deleteWebhookDelivery(delivery: string): Promise<void> {
  await dynamoClient().send(new DeleteCommand({ TableName: platformNames().table, Key: webhookDeliveryKey(delivery) }));
}

export async function deleteWebhookBody(digest: string): Promise<void> {
  await dynamoClient().send(new DeleteCommand({ TableName: platformNames().table, Key: webhookBodyKey(digest) }));
}
