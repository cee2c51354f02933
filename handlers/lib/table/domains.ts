import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { conditionally } from './conditional-write.js';
import { DOMAIN_PREFIX, domainClaimKey, domainKey, projectPk } from './keys.js';
import { queryAll } from './pages.js';

/**
 * Custom domains: `PROJECT#<project> / DOMAIN#<host>` records the domain under its project; the
 * global item `DOMAIN#<host> / CLAIM` makes the host belong to one project only. A domain is
 * PENDING with its challenge token until its TXT record is seen, then VERIFIED.
 */
export const DOMAIN_STATUSES = ['PENDING', 'VERIFIED'] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

const StoredDomain = v.object({
  domain: v.string(),
  project: v.string(),
  createdAt: v.string(),
  createdBy: v.string(),
  // Items written before ownership proofs have neither: they read as PENDING without a token, and
  // the store gives them one (project-settings/store.ts listDomains).
  status: v.optional(v.picklist(DOMAIN_STATUSES), 'PENDING'),
  token: v.optional(v.string()),
  verifiedAt: v.optional(v.string()),
});
export type StoredDomainItem = v.InferOutput<typeof StoredDomain>;
export type DomainItem = StoredDomainItem & { token: string };

/** A project's domains, in the table's order. */
export async function queryDomainItems(project: string): Promise<StoredDomainItem[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': projectPk(project), ':prefix': DOMAIN_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => v.parse(StoredDomain, item));
}

/**
 * Puts the global claim of `item.domain` for `item.project`, made when its ownership is proven;
 * false when another project holds it. A claim without `verifiedAt` was made at adding time before
 * ownership proofs: it holds nothing, so a project that proves the domain takes it over.
 */
export async function putDomainClaim(item: DomainItem, verifiedAt: string): Promise<boolean> {
  const claimed = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: platformNames().table,
        Item: {
          ...domainClaimKey(item.domain),
          entity: 'domain-claim',
          domain: item.domain,
          project: item.project,
          createdAt: item.createdAt,
          createdBy: item.createdBy,
          verifiedAt,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(verifiedAt) OR #project = :project',
        ExpressionAttributeNames: { '#project': 'project' },
        ExpressionAttributeValues: { ':project': item.project },
      }),
    ),
  );
  return claimed !== undefined;
}

/** The project whose proven claim holds a host, or undefined when none does. */
export async function getDomainClaimHolder(domain: string): Promise<string | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: domainClaimKey(domain), ConsistentRead: true }),
  );
  return typeof Item?.project === 'string' && typeof Item.verifiedAt === 'string' ? Item.project : undefined;
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

/** Records the domain under its project. */
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

/**
 * Sets a recorded domain's token when it has none (a domain from before ownership proofs); the
 * token it holds after the write, which is another caller's when two gave one at once.
 */
export async function setDomainTokenIfMissing(project: string, domain: string, token: string): Promise<string | undefined> {
  const written = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: domainKey(project, domain),
        UpdateExpression: 'SET #token = :token, #status = :pending',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#token)',
        ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
        ExpressionAttributeValues: { ':token': token, ':pending': 'PENDING' },
      }),
    ),
  );
  if (written !== undefined) return token;
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: domainKey(project, domain), ConsistentRead: true }),
  );
  return typeof Item?.token === 'string' ? Item.token : undefined;
}

/** Marks a recorded domain VERIFIED; false when the project no longer has it. */
export async function markDomainVerified(project: string, domain: string, at: string): Promise<boolean> {
  const written = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: domainKey(project, domain),
        UpdateExpression: 'SET #status = :verified, verifiedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':verified': 'VERIFIED', ':at': at },
      }),
    ),
  );
  return written !== undefined;
}
