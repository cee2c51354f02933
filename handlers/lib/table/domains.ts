import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { DOMAIN_PREFIX, domainClaimKey, domainKey, projectPk } from './keys.js';
import { queryAll } from './pages.js';

/**
 * Custom domains: `PROJECT#<project> / DOMAIN#<host>` records the domain under its project; the
 * global item `DOMAIN#<host> / CLAIM` makes the host belong to one project only.
 */
const StoredDomain = v.object({ domain: v.string(), project: v.string(), createdAt: v.string(), createdBy: v.string() });
export type DomainItem = v.InferOutput<typeof StoredDomain>;

/** A project's domains, in the table's order. */
export async function queryDomainItems(project: string): Promise<DomainItem[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(project), ':prefix': DOMAIN_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => v.parse(StoredDomain, item));
}

/** Puts the global claim of `item.domain` for `item.project`; false when the host is claimed already. */
export async function putDomainClaim(item: DomainItem): Promise<boolean> {
  const claimed = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: platformNames().table,
        Item: { ...domainClaimKey(item.domain), entity: 'domain-claim', ...item },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return claimed !== undefined;
}

/** The project that holds a host's claim, or undefined when none does. */
export async function getDomainClaimHolder(domain: string): Promise<string | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: domainClaimKey(domain), ConsistentRead: true }),
  );
  return typeof Item?.project === 'string' ? Item.project : undefined;
}

/** Deletes the global claim only if `project` holds it. */
export async function deleteDomainClaim(domain: string, project: string): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new DeleteCommand({
        TableName: platformNames().table,
        Key: domainClaimKey(domain),
        ConditionExpression: '#project = :project',
        ExpressionAttributeNames: { '#project': 'project' },
        ExpressionAttributeValues: { ':project': project },
      }),
    ),
  );
}

/** Records the domain under its project (after its claim). */
export async function putDomainItem(item: DomainItem): Promise<void> {
  await dynamoClient().send(
    new PutCommand({ TableName: platformNames().table, Item: { ...domainKey(item.project, item.domain), entity: 'domain', ...item } }),
  );
}

/** False when the project has no such domain. */
export async function deleteDomainItem(project: string, domain: string): Promise<boolean> {
  const removed = await conditionally(
    dynamoClient().send(
      new DeleteCommand({ TableName: platformNames().table, Key: domainKey(project, domain), ConditionExpression: 'attribute_exists(pk)' }),
    ),
  );
  return removed !== undefined;
}
