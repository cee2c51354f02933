import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../lib/clients.js';
import { conditionally } from '../../lib/conditional-write.js';
import { platformNames } from '../../lib/config.js';
import { usageDayKey, usageSlotsKey } from '../../lib/table/keys.js';

/**
 * Usage counters, in their own partition per user (`USAGE#<login>`), apart from the user item that
 * identity owns. Every increment is one conditional write, so DynamoDB decides under concurrency.
 */

export type DailyCounter = 'builds' | 'deployments';

/** The UTC day a counter belongs to. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Counts one more `counter` for today unless it has reached `limit`: true when counted. The item
 * expires (TTL `expiresAt`) two days after its day, so old counters clean themselves up.
 */
export async function countDaily(login: string, counter: DailyCounter, limit: number, now = new Date()): Promise<boolean> {
  const day = today(now);
  const expiresAt = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 2 * 86_400;
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

/** Gives back a count taken by countDaily for a request that then did not start anything. */
export async function uncountDaily(login: string, counter: DailyCounter, now = new Date()): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: usageDayKey(login, today(now)),
        UpdateExpression: 'ADD #n :minus',
        ConditionExpression: '#n > :zero',
        ExpressionAttributeNames: { '#n': counter },
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
      }),
    ),
  );
}

export async function dailyUsage(login: string, now = new Date()): Promise<Record<DailyCounter, number>> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: usageDayKey(login, today(now)), ConsistentRead: true }),
  );
  return { builds: Number(Item?.builds ?? 0), deployments: Number(Item?.deployments ?? 0) };
}

/**
 * Slots: a string set of the things that hold one (`project/deploymentId` for running builds, the
 * project name for projects). Taking a slot is a conditional ADD on the set's size. Nothing ever
 * has to give a slot back for it to be free again: before refusing, the holder checks each member
 * with `stillHolds` (is that build still QUEUED or BUILDING? does that project still exist?) and
 * removes the stale ones, so a build that failed, was cancelled or crashed cannot leak its slot.
 */
export type SlotKind = 'BUILDS' | 'PROJECTS';

async function tryAdd(login: string, kind: SlotKind, member: string, limit: number): Promise<boolean> {
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

export async function slotMembers(login: string, kind: SlotKind): Promise<string[]> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: usageSlotsKey(login, kind), ConsistentRead: true }),
  );
  const members = Item?.members;
  return members instanceof Set ? [...(members as Set<string>)].sort() : [];
}

export async function releaseSlots(login: string, kind: SlotKind, members: string[]): Promise<void> {
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

/** The members that still hold a slot, after removing the stale ones. */
export async function liveSlotMembers(login: string, kind: SlotKind, stillHolds: (member: string) => Promise<boolean>): Promise<string[]> {
  const members = await slotMembers(login, kind);
  const holds = await Promise.all(members.map(stillHolds));
  await releaseSlots(
    login,
    kind,
    members.filter((_, i) => !holds[i]),
  );
  return members.filter((_, i) => holds[i]);
}

/**
 * Takes a slot for `member`; when full, frees stale slots and tries once more. Resolves to
 * undefined when taken, else the number of slots still held (for the refusal message).
 */
export async function takeSlot(
  login: string,
  kind: SlotKind,
  member: string,
  limit: number,
  stillHolds: (member: string) => Promise<boolean>,
): Promise<number | undefined> {
  if (await tryAdd(login, kind, member, limit)) return undefined;
  const live = await liveSlotMembers(login, kind, stillHolds);
  if (await tryAdd(login, kind, member, limit)) return undefined;
  return live.length;
}
