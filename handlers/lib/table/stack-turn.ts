import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { projectKey } from './keys.js';

/**
 * A project stack's turn: at most one execution at a time updates the stack and releases what the
 * update published. The turn is the project item's `stackTurn` (the holding execution's name) with
 * a lease, `stackTurnUntil`, so an execution stopped while holding it (cancelled, timed out) blocks
 * the next one for at most the lease.
 */

/** Whether `execution` now holds the turn (it may already have held it: taking it again renews the lease). */
export async function takeStackTurn(project: string, execution: string, now: Date, leaseSeconds: number): Promise<boolean> {
  const taken = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: projectKey(project),
        UpdateExpression: 'SET stackTurn = :exe, stackTurnUntil = :until',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(stackTurn) OR stackTurn = :exe OR stackTurnUntil < :now)',
        ExpressionAttributeValues: {
          ':exe': execution,
          ':until': new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
          ':now': now.toISOString(),
        },
      }),
    ),
  );
  return taken !== undefined;
}

/** Who holds the turn now; `exists` is false once the project is gone. */
export async function stackTurnHolder(project: string): Promise<{ exists: boolean; holder?: string }> {
  const { Item } = await dynamoClient().send(
    new GetCommand({
      TableName: platformNames().table,
      Key: projectKey(project),
      ProjectionExpression: 'pk, stackTurn',
      ConsistentRead: true,
    }),
  );
  if (!Item) return { exists: false };
  return typeof Item.stackTurn === 'string' ? { exists: true, holder: Item.stackTurn } : { exists: true };
}

/** Gives the turn back if `execution` holds it (nothing otherwise: the lease may have passed it on). */
export async function giveStackTurn(project: string, execution: string): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: projectKey(project),
        UpdateExpression: 'REMOVE stackTurn, stackTurnUntil',
        ConditionExpression: 'stackTurn = :exe',
        ExpressionAttributeValues: { ':exe': execution },
      }),
    ),
  );
}

/**
 * Records that the pointer `pointer` (`live`, or `preview:{alias}`) is being moved for a request
 * made at `requestedAt` (the execution's start), unless a later request already moved it: the newer
 * request wins, whatever order the two reach Release in. False when a later one did.
 */
export async function claimPointerRequest(project: string, pointer: string, requestedAt: string): Promise<boolean> {
  const claimed = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: projectKey(project),
        UpdateExpression: 'SET #requested = :at',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#requested) OR #requested <= :at)',
        ExpressionAttributeNames: { '#requested': `pointerRequestedAt:${pointer}` },
        ExpressionAttributeValues: { ':at': requestedAt },
      }),
    ),
  );
  return claimed !== undefined;
}
