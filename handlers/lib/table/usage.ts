import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { usageDayKey, usageSlotsKey } from './keys.js';

/**
 * Usage counters, in their own partition per user (`USAGE#<login>`), apart from the user item that
 * identity owns. Every increment is one conditional write, so DynamoDB decides under concurrency.
 */

export type DailyCounter = 'builds' | 'deployments';
export type SlotKind = 'BUILDS' | 'PROJECTS';

/** Adds one to a day's counter unless it has reached `limit`: false when refused. The item expires at `expiresAt` (epoch seconds). */
export async function addDailyCount(login: string, day: string, counter: DailyCounter, limit: number, expiresAt: number): Promise<boolean> {
  const counted = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: usageDayKey(login, day),
        UpdateExpression: 'ADD #n :one SET expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': counter },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':exp': expiresAt },
      }),
    ),
  );
  return counted !== undefined;
}

/** Takes one off a day's counter, never below zero. */
export async function subtractDailyCount(login: string, day: string, counter: DailyCounter): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: usageDayKey(login, day),
        UpdateExpression: 'ADD #n :minus',
        ConditionExpression: '#n > :zero',
        ExpressionAttributeNames: { '#n': counter },
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
      }),
    ),
  );
}

export async function getDailyCounts(login: string, day: string): Promise<Record<DailyCounter, number>> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: usageDayKey(login, day), ConsistentRead: true }),
  );
  return { builds: Number(Item?.builds ?? 0), deployments: Number(Item?.deployments ?? 0) };
}

/** Adds `member` to a slot set unless it already holds `limit` members: false when refused. */
export async function addSlotMember(login: string, kind: SlotKind, member: string, limit: number): Promise<boolean> {
  const added = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: usageSlotsKey(login, kind),
        UpdateExpression: 'ADD members :member',
        ConditionExpression: 'attribute_not_exists(members) OR size(members) < :limit',
        ExpressionAttributeValues: { ':member': new Set([member]), ':limit': limit },
      }),
    ),
  );
  return added !== undefined;
}

/** The members of a slot set, sorted. */
export async function getSlotMembers(login: string, kind: SlotKind): Promise<string[]> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: usageSlotsKey(login, kind), ConsistentRead: true }),
  );
  const members = Item?.members;
  return members instanceof Set ? [...(members as Set<string>)].sort() : [];
}

export async function removeSlotMembers(login: string, kind: SlotKind, members: string[]): Promise<void> {
  if (members.length === 0) return;
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: usageSlotsKey(login, kind),
      UpdateExpression: 'DELETE members :gone',
      ExpressionAttributeValues: { ':gone': new Set(members) },
    }),
  );
}
