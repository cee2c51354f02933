import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { type Limits, StoredLimits } from '../limits.js';
import { META, SUBSCRIPTION_PREFIX, subscriptionKey } from './keys.js';
import { scanAll } from './pages.js';

/** A subscription an admin stored: `SUBSCRIPTION#<name> / META`, a whole set of limits. */
export interface StoredSubscription {
  name: string;
  limits: Limits;
  updatedAt?: string;
  updatedBy?: string;
}

function fromItem(item: Record<string, unknown>): StoredSubscription | undefined {
  // A stored item that no longer parses (e.g. a limit added since) reads as absent; a limit above a
  // since-lowered maximum is clamped to it.
  const limits = v.safeParse(StoredLimits, item.limits);
  if (!limits.success) return undefined;
  return {
    name: String(item.name),
    limits: limits.output,
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    ...(typeof item.updatedBy === 'string' ? { updatedBy: item.updatedBy } : {}),
  };
}

/** The stored subscription of that name, or undefined when none is stored or it no longer parses. */
export async function getStoredSubscription(name: string): Promise<StoredSubscription | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: subscriptionKey(name), ConsistentRead: true }),
  );
  return Item && fromItem(Item);
}

/** Every stored subscription that still parses. */
export async function scanStoredSubscriptions(): Promise<StoredSubscription[]> {
  const items = await scanAll({
    FilterExpression: 'begins_with(pk, :prefix) AND sk = :meta',
    ExpressionAttributeValues: { ':prefix': SUBSCRIPTION_PREFIX, ':meta': META },
    ConsistentRead: true,
  });
  return items.map(fromItem).filter((subscription) => subscription !== undefined);
}

/** Creates or replaces a subscription. */
export async function putStoredSubscription(subscription: Required<StoredSubscription>): Promise<void> {
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...subscriptionKey(subscription.name), entity: 'subscription', ...subscription },
    }),
  );
}
