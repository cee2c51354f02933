import { BatchGetCommand, type BatchGetCommandOutput, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { queryAll } from './pages.js';
import { dynamoClient } from '../clients.js';
import { platformNames } from '../config.js';
import { DeploymentId, ProjectName } from '../names.js';
import { conditionally } from './conditional-write.js';
import { DEPLOYMENT_PREFIX, deploymentKey, projectPk } from './keys.js';

/**
 * Deployment items: `PROJECT#<project> / DEPLOY#<id>`. The API puts them; the state machines set
 * their status and failure fields in ASL (workflows/steps.ts). The fields are exported for the
 * API's description of a deployment, which returns them.
 */
export const DeploymentFields = {
  id: DeploymentId,
  project: ProjectName,
  status: v.string(),
  createdAt: v.string(),
  createdBy: v.string(),
  source: v.object({ bucket: v.string(), key: v.string() }),
  commit: v.optional(v.string()),
  executionArn: v.optional(v.string()),
  executionName: v.optional(v.string()),
  failedState: v.optional(v.string()),
  error: v.optional(v.string()),
  cause: v.optional(v.string()),
  /** The failed deployment this one retries (admin retry). */
  retryOf: v.optional(DeploymentId),
  /** The deployment that retried this failed one. */
  retriedBy: v.optional(DeploymentId),
  /** When and by whom a QUEUED or BUILDING deployment was cancelled (status CANCELLED). */
  cancelledAt: v.optional(v.string()),
  cancelledBy: v.optional(v.string()),
  /** The GitHub commit this deployment was fetched from (pushes, pull requests). */
  github: v.optional(v.object({ repository: v.string(), commit: v.string(), installationId: v.number() })),
  /** Preview alias (`<project>--<alias>`); absent for production. */
  preview: v.optional(v.string()),
  /** Built from a fork without the project's secrets; an owner's approval redeploys it with them. */
  withholdSecrets: v.optional(v.boolean()),
  secrets: v.optional(v.literal('withheld')),
  /** The withheld deployment whose approval started this one / the deployment that approval started. */
  approvalOf: v.optional(DeploymentId),
  approvedBy: v.optional(v.string()),
  approvedAs: v.optional(DeploymentId),
  /** The app's folder in the source, when the deployment request named one (over the project's rootDirectory). */
  rootDirectory: v.optional(v.string()),
  /** When it was first released (went live or its preview answered): with createdAt, how long it took. */
  releasedAt: v.optional(v.string()),
  /** Whether its route entries are in the route cache (see RouteCacheState). */
  routeCache: v.optional(v.picklist(['written', 'pruned'])),
};
export type DeploymentRecord = v.InferOutput<v.ObjectSchema<typeof DeploymentFields, undefined>>;

// Loose: attributes the state machines add are read back as they are.
const StoredDeployment = v.looseObject(DeploymentFields);

function toDeployment(item: Record<string, unknown>): DeploymentRecord {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return v.parse(StoredDeployment, rest);
}

/** Puts a new deployment; throws ConditionalCheckFailedException when its id is taken. */
export async function putDeploymentItem(record: DeploymentRecord): Promise<void> {
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...deploymentKey(record.project, record.id), entity: 'deployment', ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function setDeploymentExecutionArn(project: string, id: string, executionArn: string): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: deploymentKey(project, id),
      UpdateExpression: 'SET executionArn = :arn',
      ExpressionAttributeValues: { ':arn': executionArn },
    }),
  );
}

export async function getDeploymentItem(project: string, id: string): Promise<DeploymentRecord | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: deploymentKey(project, id), ConsistentRead: true }),
  );
  return Item ? toDeployment(Item) : undefined;
}

/** BatchGetItem's limit of keys per request. */
const BATCH_GET_KEYS = 100;

/**
 * Several deployments (of any projects) by key, in batched reads; those that do not exist are left
 * out. Unprocessed keys (throttling) are asked for again.
 */
export async function batchGetDeploymentItems(keys: Array<{ project: string; id: string }>): Promise<DeploymentRecord[]> {
  const table = platformNames().table;
  const found: DeploymentRecord[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] | undefined = keys
      .slice(start, start + BATCH_GET_KEYS)
      .map((k) => ({ ...deploymentKey(k.project, k.id) }));
    for (let attempt = 0; pending && pending.length > 0 && attempt < 5; attempt++) {
      const answer: BatchGetCommandOutput = await dynamoClient().send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(answer.Responses?.[table] ?? []).map(toDeployment));
      pending = answer.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return found;
}

/** Only a deployment's status (`{}` when it has none), or undefined when there is no such deployment. */
export async function getDeploymentStatus(project: string, id: string): Promise<{ status?: string } | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({
      TableName: platformNames().table,
      Key: deploymentKey(project, id),
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  return typeof Item.status === 'string' ? { status: Item.status } : {};
}

/** Up to `limit` deployments of a project, newest first (ids start with a base-36 timestamp, so they sort by time). */
export async function queryDeploymentItems(project: string, limit: number): Promise<DeploymentRecord[]> {
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: platformNames().table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :deploy)',
      ExpressionAttributeValues: { ':pk': projectPk(project), ':deploy': DEPLOYMENT_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return (page.Items ?? []).map(toDeployment);
}

/**
 * The id, status and preview alias of up to `limit` deployments of a project, newest first: what
 * skew protection needs to find the deployments a pointer served before (only these fields are read).
 */
export async function queryDeploymentReleases(
  project: string,
  limit: number,
): Promise<Array<{ id: string; status?: string; preview?: string }>> {
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: platformNames().table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :deploy)',
      ExpressionAttributeValues: { ':pk': projectPk(project), ':deploy': DEPLOYMENT_PREFIX },
      ProjectionExpression: 'id, #status, preview',
      ExpressionAttributeNames: { '#status': 'status' },
      ScanIndexForward: false,
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return v.parse(DeploymentReleases, page.Items ?? []);
}

const DeploymentReleases = v.array(v.object({ id: DeploymentId, status: v.optional(v.string()), preview: v.optional(v.string()) }));

/** The deployment of a project whose `executionName` is `name`: a Query of the partition, filtered, page by page until found. */
export async function findDeploymentItemByExecutionName(project: string, name: string): Promise<DeploymentRecord | undefined> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamoClient().send(
      new QueryCommand({
        TableName: platformNames().table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :deploy)',
        FilterExpression: 'executionName = :name',
        ExpressionAttributeValues: { ':pk': projectPk(project), ':deploy': DEPLOYMENT_PREFIX, ':name': name },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    const item = page.Items?.[0];
    if (item) return toDeployment(item);
    start = page.LastEvaluatedKey;
  } while (start);
  return undefined;
}

/**
 * Claims a FAILED (or CANCELLED) deployment for one retry (`retriedBy`); false when it is no longer
 * either or a retry already claimed it, so two concurrent retries cannot both start a build.
 */
export async function claimDeploymentRetry(project: string, id: string, retryId: string): Promise<boolean> {
  const claimed = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: deploymentKey(project, id),
        UpdateExpression: 'SET retriedBy = :retry',
        ConditionExpression: 'attribute_exists(pk) AND #status IN (:failed, :cancelled) AND attribute_not_exists(retriedBy)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':retry': retryId, ':failed': 'FAILED', ':cancelled': 'CANCELLED' },
      }),
    ),
  );
  return claimed !== undefined;
}

/** Undoes claimDeploymentRetry when the retry could not be started. */
export async function releaseDeploymentRetry(project: string, id: string, retryId: string): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: deploymentKey(project, id),
        UpdateExpression: 'REMOVE retriedBy',
        ConditionExpression: 'retriedBy = :retry',
        ExpressionAttributeValues: { ':retry': retryId },
      }),
    ),
  );
}

/** The statuses of a deployment whose execution may still be running: only these can be cancelled or recorded ended. */
export const CANCELLABLE_STATUSES = ['QUEUED', 'BUILDING'] as const;

/** The condition of the two endings the API records itself: only a deployment still QUEUED or BUILDING changes. */
const STILL_RUNNING = {
  ConditionExpression: 'attribute_exists(pk) AND #status IN (:queued, :building)',
  running: { ':queued': CANCELLABLE_STATUSES[0], ':building': CANCELLABLE_STATUSES[1] },
} as const;

/**
 * Records FAILED a deployment whose execution ended without recording anything (it was aborted
 * or timed out, so no failure path ran), only while the record still says QUEUED or BUILDING;
 * the updated record, or undefined when the condition failed.
 */
export async function markDeploymentEnded(
  project: string,
  id: string,
  ended: { failedState: string; error: string; cause: string },
): Promise<DeploymentRecord | undefined> {
  const updated = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: deploymentKey(project, id),
        UpdateExpression: 'SET #status = :failed, failedState = :state, #error = :error, cause = :cause',
        ConditionExpression: STILL_RUNNING.ConditionExpression,
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED',
          ':state': ended.failedState,
          ':error': ended.error,
          ':cause': ended.cause,
          ...STILL_RUNNING.running,
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return updated?.Attributes ? toDeployment(updated.Attributes) : undefined;
}

/**
 * Marks a deployment CANCELLED, only while it is still QUEUED or BUILDING (decided by DynamoDB, so a
 * build that went live or failed meanwhile keeps its status); the updated record, or undefined when
 * the condition failed.
 */
export async function markDeploymentCancelled(project: string, id: string, by: string, at: string): Promise<DeploymentRecord | undefined> {
  const updated = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: deploymentKey(project, id),
        UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at, cancelledBy = :by',
        ConditionExpression: STILL_RUNNING.ConditionExpression,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':at': at, ':by': by, ...STILL_RUNNING.running },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return updated?.Attributes ? toDeployment(updated.Attributes) : undefined;
}

/**
 * Claims a withheld deployment for its one approval (`approvedBy`, `approvedAs`); false when it
 * withholds nothing or was approved already, so two approvals cannot both start a build.
 */
export async function claimDeploymentApproval(project: string, id: string, by: string, approvedAs: string): Promise<boolean> {
  const claimed = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: deploymentKey(project, id),
        UpdateExpression: 'SET approvedBy = :by, approvedAs = :as',
        ConditionExpression: 'attribute_exists(pk) AND withholdSecrets = :true AND attribute_not_exists(approvedBy)',
        ExpressionAttributeValues: { ':by': by, ':as': approvedAs, ':true': true },
      }),
    ),
  );
  return claimed !== undefined;
}

/** Undoes claimDeploymentApproval when the approved deployment could not be started. */
export async function releaseDeploymentApproval(project: string, id: string, approvedAs: string): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: deploymentKey(project, id),
        UpdateExpression: 'REMOVE approvedBy, approvedAs',
        ConditionExpression: 'approvedAs = :as',
        ExpressionAttributeValues: { ':as': approvedAs },
      }),
    ),
  );
}

/**
 * The function version Release wrote into a pointer for this deployment (`functionVersion`), so a
 * later release of the same deployment (a rollback to it) knows it even when its stack update
 * publishes nothing; undefined before its first release.
 */
export async function getDeploymentFunctionVersion(project: string, id: string): Promise<string | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({
      TableName: platformNames().table,
      Key: deploymentKey(project, id),
      ProjectionExpression: 'functionVersion',
      ConsistentRead: true,
    }),
  );
  return typeof Item?.functionVersion === 'string' ? Item.functionVersion : undefined;
}

/** Records the version a release serves; `releasedAt` keeps the first release's time (a rollback to it is not its release). */
export async function setDeploymentFunctionVersion(project: string, id: string, version: string, at: string): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: deploymentKey(project, id),
      UpdateExpression: 'SET functionVersion = :version, releasedAt = if_not_exists(releasedAt, :at)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':version': version, ':at': at },
    }),
  );
}

/**
 * Whether a deployment's `r:{id}:…` entries are in the route cache: `written` from just before
 * Release puts them, `pruned` once the route-cache cleanup removed them (a rollback writes them again).
 */
export type RouteCacheState = 'written' | 'pruned';

const DeploymentRouteStates = v.array(
  v.object({
    id: DeploymentId,
    status: v.optional(v.string()),
    preview: v.optional(v.string()),
    routeCache: v.optional(v.picklist(['written', 'pruned'])),
  }),
);
export type DeploymentRouteState = v.InferOutput<typeof DeploymentRouteStates>[number];

/** Every deployment of a project, newest first, with what the route-cache cleanup decides on. */
export async function queryDeploymentRouteStates(project: string): Promise<DeploymentRouteState[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :deploy)',
    ExpressionAttributeValues: { ':pk': projectPk(project), ':deploy': DEPLOYMENT_PREFIX },
    ProjectionExpression: 'id, #status, preview, routeCache',
    ExpressionAttributeNames: { '#status': 'status' },
    ScanIndexForward: false,
    ConsistentRead: true,
  });
  return v.parse(DeploymentRouteStates, items);
}

/** Records where a deployment's route entries stand (only on an existing deployment item). */
export async function setDeploymentRouteCache(project: string, id: string, state: RouteCacheState): Promise<void> {
  await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: deploymentKey(project, id),
        UpdateExpression: 'SET routeCache = :state',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':state': state },
      }),
    ),
  );
}
