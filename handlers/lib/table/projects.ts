import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { ProjectName } from '../names.js';
import { conditionally } from './conditional-write.js';
import { ENTITY_INDEX, projectKey } from './keys.js';
import { queryAll } from './pages.js';

/**
 * Project items: `PROJECT#<name> / META`. The API creates the item; the state machines set its
 * status, failure and rollback fields in ASL (workflows/steps.ts), release sets the live pointer.
 * The fields are exported for the API's description of a project, which returns them.
 */
export const ProjectFields = {
  name: ProjectName,
  owner: v.string(),
  status: v.string(),
  createdAt: v.string(),
  liveDeploymentId: v.optional(v.string()),
  liveAt: v.optional(v.string()),
  /** The live deployment's SvelteKit `paths.base` (absent when it has none), included in its URL. */
  liveBasePath: v.optional(v.string()),
  executionName: v.optional(v.string()),
  failedState: v.optional(v.string()),
  error: v.optional(v.string()),
  cause: v.optional(v.string()),
  /** The GitHub repository (`owner/name`, lowercase) whose pushes deploy this project. */
  repository: v.optional(v.string()),
  /** The branch whose pushes go live; absent: the repository's default branch. */
  productionBranch: v.optional(v.string()),
};
export type ProjectRecord = v.InferOutput<v.ObjectSchema<typeof ProjectFields, undefined>>;

// Loose: the item's other attributes (release and rollback bookkeeping) are read back as they are.
const StoredProject = v.looseObject(ProjectFields);

function toProject(item: Record<string, unknown>): ProjectRecord {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return v.parse(StoredProject, rest);
}

/** Creates the item; false when a project of that name exists (decided by DynamoDB). */
export async function putNewProject(record: ProjectRecord): Promise<boolean> {
  const created = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: platformNames().table,
        Item: { ...projectKey(record.name), entity: 'project', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return created !== undefined;
}

export async function getProjectItem(name: string): Promise<ProjectRecord | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: projectKey(name), ConsistentRead: true }),
  );
  return Item ? toProject(Item) : undefined;
}

/** Moves a project to DELETING; false when it does not exist or is being deleted already. */
export async function markProjectItemDeleting(name: string): Promise<boolean> {
  const marked = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: projectKey(name),
        UpdateExpression: 'SET #status = :deleting',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :deleting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':deleting': 'DELETING' },
      }),
    ),
  );
  return marked !== undefined;
}

/** Every project, by name: a Query of the entity index (eventually consistent, as every index read). */
export async function queryProjectItems(): Promise<ProjectRecord[]> {
  const items = await queryAll({
    IndexName: ENTITY_INDEX.name,
    KeyConditionExpression: '#entity = :project',
    ExpressionAttributeNames: { '#entity': ENTITY_INDEX.partitionKey },
    ExpressionAttributeValues: { ':project': 'project' },
  });
  return items.map(toProject);
}

/**
 * The projects linked to `repository` (lowercase), by name: the project items of the entity index,
 * filtered on `repository`. Reads every project item (about 1 KB each), never the rest of the table.
 */
export async function queryProjectItemsOfRepository(repository: string): Promise<ProjectRecord[]> {
  const items = await queryAll({
    IndexName: ENTITY_INDEX.name,
    KeyConditionExpression: '#entity = :project',
    FilterExpression: 'repository = :repo',
    ExpressionAttributeNames: { '#entity': ENTITY_INDEX.partitionKey },
    ExpressionAttributeValues: { ':project': 'project', ':repo': repository },
  });
  return items.map(toProject);
}

/** Sets (or, without a branch, removes) the linked repository's fields; false when there is no such project. */
export async function setProjectRepository(name: string, repository: string, productionBranch?: string): Promise<boolean> {
  const linked = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: projectKey(name),
        UpdateExpression: productionBranch
          ? 'SET repository = :repo, productionBranch = :branch'
          : 'SET repository = :repo REMOVE productionBranch',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':repo': repository, ...(productionBranch ? { ':branch': productionBranch } : {}) },
      }),
    ),
  );
  return linked !== undefined;
}

/** The condition of every release write: the project exists and is not being deleted. */
const RELEASABLE = {
  ConditionExpression: 'attribute_exists(pk) AND #status <> :deleting',
  ExpressionAttributeNames: { '#status': 'status' },
} as const;

/**
 * Moves the live pointer to `deploymentId`; the previous live deployment, or null. Throws
 * ConditionalCheckFailedException when the project is gone or being deleted (the release step fails).
 */
export async function setProjectLive(name: string, deploymentId: string, at: string, basePath?: string): Promise<string | null> {
  return (await moveProjectLive(name, deploymentId, at, basePath)).previous;
}

/** setProjectLive, also returning the item's `rollbackTargets` as they were (from the same write). */
export async function moveProjectLive(
  name: string,
  deploymentId: string,
  at: string,
  basePath?: string,
): Promise<{ previous: string | null; rollbackTargets?: string[] }> {
  const updated = await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: projectKey(name),
      UpdateExpression: basePath
        ? 'SET liveDeploymentId = :id, liveAt = :at, liveBasePath = :base'
        : 'SET liveDeploymentId = :id, liveAt = :at REMOVE liveBasePath',
      ...RELEASABLE,
      ExpressionAttributeValues: { ':id': deploymentId, ':at': at, ':deleting': 'DELETING', ...(basePath ? { ':base': basePath } : {}) },
      ReturnValues: 'ALL_OLD',
    }),
  );
  const previous = updated.Attributes?.liveDeploymentId;
  const targets = rollbackTargetsOf(updated.Attributes);
  return { previous: typeof previous === 'string' ? previous : null, ...(targets ? { rollbackTargets: targets } : {}) };
}

function rollbackTargetsOf(item: Record<string, unknown> | undefined): string[] | undefined {
  const targets: unknown = item?.rollbackTargets;
  return Array.isArray(targets) ? targets.filter((id): id is string => typeof id === 'string') : undefined;
}

/** Records a preview release; throws ConditionalCheckFailedException like setProjectLive. */
export async function setProjectLastPreviewAt(name: string, at: string): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: projectKey(name),
      UpdateExpression: 'SET lastPreviewAt = :at',
      ...RELEASABLE,
      ExpressionAttributeValues: { ':at': at, ':deleting': 'DELETING' },
    }),
  );
}

/** The custom domains the last release put into the route cache (`routedDomains`). */
export async function getRoutedDomains(name: string): Promise<string[]> {
  const { Item } = await dynamoClient().send(
    new GetCommand({
      TableName: platformNames().table,
      Key: projectKey(name),
      ProjectionExpression: 'routedDomains',
      ConsistentRead: true,
    }),
  );
  const routed: unknown = Item?.routedDomains;
  return Array.isArray(routed) ? routed.filter((domain): domain is string => typeof domain === 'string') : [];
}

/** Throws ConditionalCheckFailedException when the project is gone. */
export async function setRoutedDomains(name: string, domains: string[]): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: projectKey(name),
      UpdateExpression: 'SET routedDomains = :domains',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':domains': domains },
    }),
  );
}

/**
 * The production deployments live before the current one, most recent first (`rollbackTargets`,
 * kept by Release); undefined for a project released before the list existed.
 */
export async function getRollbackTargets(name: string): Promise<string[] | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({
      TableName: platformNames().table,
      Key: projectKey(name),
      ProjectionExpression: 'rollbackTargets',
      ConsistentRead: true,
    }),
  );
  return rollbackTargetsOf(Item);
}

/** Throws ConditionalCheckFailedException when the project is gone. */
export async function setRollbackTargets(name: string, targets: string[]): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: projectKey(name),
      UpdateExpression: 'SET rollbackTargets = :targets',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':targets': targets },
    }),
  );
}

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
