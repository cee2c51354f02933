import { ADMIN_USER } from '../identity/caller.js';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../../lib/clients.js';
import { scanAll } from '../../lib/dynamo-pages.js';
import { platformNames } from '../../lib/config.js';
import { BUILT_IN_SUBSCRIPTIONS, DEFAULT_SUBSCRIPTION, Limits, OPERATOR_SUBSCRIPTION } from '../../lib/limits.js';
import { META, SUBSCRIPTION_PREFIX, subscriptionKey, userKey } from '../../lib/table/keys.js';

/** Subscription names: short lowercase labels, used in keys and messages. */
export const SubscriptionName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, 'must be 2–32 characters of a–z, 0–9 and "-", starting with a letter'),
);

export interface Subscription {
  name: string;
  limits: Limits;
  /** `built-in` until an admin stores the subscription; then `stored`. */
  origin: 'built-in' | 'stored';
  updatedAt?: string;
  updatedBy?: string;
}

function fromItem(item: Record<string, unknown>): Subscription | undefined {
  // A stored item that no longer parses (e.g. a limit added since) falls back to the built-in one.
  const limits = v.safeParse(Limits, item.limits);
  if (!limits.success) return undefined;
  return {
    name: String(item.name),
    limits: limits.output,
    origin: 'stored',
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    ...(typeof item.updatedBy === 'string' ? { updatedBy: item.updatedBy } : {}),
  };
}

function builtIn(name: string): Subscription | undefined {
  const limits = BUILT_IN_SUBSCRIPTIONS[name];
  return limits ? { name, limits: { ...limits }, origin: 'built-in' } : undefined;
}

/** A stored subscription, else the built-in one of that name, else undefined. */
export async function getSubscription(name: string): Promise<Subscription | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: subscriptionKey(name), ConsistentRead: true }),
  );
  return (Item && fromItem(Item)) ?? builtIn(name);
}

/** Every subscription: the stored ones, plus the built-in ones no item overrides. */
export async function listSubscriptions(): Promise<Subscription[]> {
  const stored = new Map<string, Subscription>();
  const items = await scanAll({
    FilterExpression: 'begins_with(pk, :prefix) AND sk = :meta',
    ExpressionAttributeValues: { ':prefix': SUBSCRIPTION_PREFIX, ':meta': META },
    ConsistentRead: true,
  });
  for (const item of items) {
    const subscription = fromItem(item);
    if (subscription) stored.set(subscription.name, subscription);
  }
  for (const name of Object.keys(BUILT_IN_SUBSCRIPTIONS)) if (!stored.has(name)) stored.set(name, builtIn(name) as Subscription);
  return [...stored.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates or replaces a subscription (a whole set of limits: no partial update). */
export async function putSubscription(name: string, limits: Limits, by: string): Promise<Subscription> {
  const updatedAt = new Date().toISOString();
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...subscriptionKey(name), entity: 'subscription', name, limits, updatedAt, updatedBy: by },
    }),
  );
  return { name, limits, origin: 'stored', updatedAt, updatedBy: by };
}

/** The name of a user's subscription (the `subscription` attribute of the user item), or the default. */
export async function userSubscriptionName(login: string): Promise<string> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: userKey(login), ProjectionExpression: 'subscription', ConsistentRead: true }),
  );
  if (typeof Item?.subscription === 'string') return Item.subscription;
  return login === ADMIN_USER ? OPERATOR_SUBSCRIPTION : DEFAULT_SUBSCRIPTION;
}

/**
 * The subscription whose limits apply to a user. A name that no longer resolves (its item was
 * removed and it is not built in) falls back to the default, so a user is never left unlimited.
 */
export async function subscriptionOf(login: string): Promise<Subscription> {
  const name = await userSubscriptionName(login);
  return (await getSubscription(name)) ?? ((await getSubscription(DEFAULT_SUBSCRIPTION)) as Subscription);
}

/**
 * Assigns a subscription to a user. The user item belongs to identity; this writes only the
 * `subscription` attribute (and `createdAt` when the item is new).
 */
export async function setUserSubscription(login: string, name: string, by: string): Promise<void> {
  const now = new Date().toISOString();
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: userKey(login),
      UpdateExpression:
        'SET subscription = :name, subscriptionUpdatedAt = :now, subscriptionUpdatedBy = :by, createdAt = if_not_exists(createdAt, :now)',
      ExpressionAttributeValues: { ':name': name, ':now': now, ':by': by },
    }),
  );
}
