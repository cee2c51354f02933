import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { projectKey } from './keys.js';

/**
 * Project items (`PROJECT#<name> / META`). Only what the subscription limits need lives here so far;
 * the project and deployment access patterns of handlers/api/records.ts move here in a later slice.
 */

/** Removes a project's record while it is still CREATING and owned by `owner`; otherwise leaves it. */
export async function deleteCreatingProject(name: string, owner: string): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new DeleteCommand({
        TableName: platformNames().table,
        Key: projectKey(name),
        ConditionExpression: '#status = :creating AND #owner = :owner',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
        ExpressionAttributeValues: { ':creating': 'CREATING', ':owner': owner },
      }),
    ),
  );
}
