import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../lib/clients.js';
import { scanAll } from '../lib/table/pages.js';
import { conditionally } from '../lib/table/conditional-write.js';
import { platformNames } from '../lib/config.js';
import { ApiError } from './errors.js';
import { DEPLOYMENT_PREFIX, META, PROJECT_PREFIX, deploymentKey, projectKey, projectPk } from '../lib/table/keys.js';

/** A project's META item, as the API returns it. */
export interface ProjectRecord {
  name: string;
  owner: string;
  status: string;
  createdAt: string;
  liveDeploymentId?: string;
  liveAt?: string;
  /** The live deployment's `paths.base` (absent when it has none). */
  liveBasePath?: string;
  executionName?: string;
  failedState?: string;
  error?: string;
  cause?: string;
  /** The GitHub repository (`owner/name`, lowercase) whose pushes deploy this project. */
  repository?: string;
  /** The branch whose pushes go live; absent: the repository's default branch. */
  productionBranch?: string;
}

export interface DeploymentRecord {
  id: string;
  project: string;
  status: string;
  createdAt: string;
  createdBy: string;
  source: { bucket: string; key: string };
  commit?: string;
  executionArn?: string;
  executionName?: string;
  failedState?: string;
  error?: string;
  cause?: string;
  /** The failed deployment this one retries (admin retry). */
  retryOf?: string;
  /** The deployment that retried this failed one. */
  retriedBy?: string;
  /** When and by whom a QUEUED or BUILDING deployment was cancelled (status CANCELLED). */
  cancelledAt?: string;
  cancelledBy?: string;
  /** The GitHub commit this deployment was fetched from (pushes, pull requests). */
  github?: { repository: string; commit: string; installationId: number };
  /** Preview alias (`<project>--<alias>`); absent for production. */
  preview?: string;
  /** Built from a fork without the project's secrets; an owner's approval redeploys it with them. */
  withholdSecrets?: boolean;
  secrets?: 'withheld';
  /** The withheld deployment whose approval started this one / the deployment that approval started. */
  approvalOf?: string;
  approvedBy?: string;
  approvedAs?: string;
}

function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest as T;
}

/** Creates the META item; a second create of the same name is a conflict, decided by DynamoDB. */
export async function createProject(name: string, owner: string): Promise<ProjectRecord> {
  const record: ProjectRecord = { name, owner, status: 'CREATING', createdAt: new Date().toISOString() };
  const created = await conditionally(
    dynamoClient().send(
      new PutCommand({
        TableName: platformNames().table,
        Item: { ...projectKey(name), entity: 'project', ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (!created) throw new ApiError('Conflict', `project ${name} already exists`, 'body.name');
  return record;
}

export async function getProject(name: string): Promise<ProjectRecord | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: projectKey(name), ConsistentRead: true }),
  );
  return Item ? withoutKeys<ProjectRecord>(Item) : undefined;
}

export async function requireProject(name: string): Promise<ProjectRecord> {
  const project = await getProject(name);
  if (!project) throw new ApiError('NotFound', `project ${name} does not exist`, 'path.name');
  return project;
}

/** Moves a project to DELETING unless it is already being deleted. */
export async function markProjectDeleting(name: string): Promise<void> {
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
  if (!marked) throw new ApiError('Conflict', `project ${name} is already being deleted`, 'path.name');
}

/** Lists projects (a Scan on the META items; fine for the local table and a small platform). */
export async function listProjects(): Promise<ProjectRecord[]> {
  const items = await scanAll({
    // Other entities (tokens, subscriptions) use META too: only project partitions count.
    FilterExpression: 'sk = :meta AND begins_with(pk, :project)',
    ExpressionAttributeValues: { ':meta': META, ':project': PROJECT_PREFIX },
  });
  return items.map((item) => withoutKeys<ProjectRecord>(item)).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Links a project to a GitHub repository (stored lowercase: GitHub names are case-insensitive).
 * No `productionBranch` means the repository's default branch. Checking that the caller's
 * installation grants the repository belongs to the route that calls this.
 */
export async function linkProjectRepository(name: string, repository: string, productionBranch?: string): Promise<void> {
  const linked = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: projectKey(name),
        UpdateExpression: productionBranch
          ? 'SET repository = :repo, productionBranch = :branch'
          : 'SET repository = :repo REMOVE productionBranch',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':repo': repository.toLowerCase(), ...(productionBranch ? { ':branch': productionBranch } : {}) },
      }),
    ),
  );
  if (!linked) throw new ApiError('NotFound', `project ${name} does not exist`, 'path.name');
}

/**
 * The projects linked to a repository. A Scan with a filter for now (it reads the whole table);
 * with many projects this wants a GSI on `repository`.
 */
export async function findProjectsByRepository(repository: string): Promise<ProjectRecord[]> {
  const items = await scanAll({
    FilterExpression: 'sk = :meta AND begins_with(pk, :project) AND repository = :repo',
    ExpressionAttributeValues: { ':meta': META, ':project': PROJECT_PREFIX, ':repo': repository.toLowerCase() },
    ConsistentRead: true,
  });
  return items.map((item) => withoutKeys<ProjectRecord>(item)).sort((a, b) => a.name.localeCompare(b.name));
}

export async function putDeployment(record: DeploymentRecord): Promise<void> {
  await dynamoClient().send(
    new PutCommand({
      TableName: platformNames().table,
      Item: { ...deploymentKey(record.project, record.id), entity: 'deployment', ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function setDeploymentExecution(project: string, id: string, executionArn: string): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: platformNames().table,
      Key: deploymentKey(project, id),
      UpdateExpression: 'SET executionArn = :arn',
      ExpressionAttributeValues: { ':arn': executionArn },
    }),
  );
}

export async function getDeployment(project: string, id: string): Promise<DeploymentRecord | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: platformNames().table, Key: deploymentKey(project, id), ConsistentRead: true }),
  );
  return Item ? withoutKeys<DeploymentRecord>(Item) : undefined;
}

export async function requireDeployment(project: string, id: string): Promise<DeploymentRecord> {
  const deployment = await getDeployment(project, id);
  if (!deployment) throw new ApiError('NotFound', `deployment ${id} of project ${project} does not exist`, 'path.id');
  return deployment;
}

/** Newest first: deployment ids start with a base-36 timestamp, so they sort by time. */
export async function listDeployments(project: string, limit = 50): Promise<DeploymentRecord[]> {
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
  return (page.Items ?? []).map((item) => withoutKeys<DeploymentRecord>(item));
}

/**
 * The deployment a build-and-deploy execution belongs to: a Query of the project's partition (the
 * project is the part of the name before `--build-deploy--`), filtered on `executionName`.
 */
export async function findDeploymentByExecutionName(project: string, name: string): Promise<DeploymentRecord | undefined> {
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
    if (item) return withoutKeys<DeploymentRecord>(item);
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
        ConditionExpression: 'attribute_exists(pk) AND #status IN (:queued, :building)',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED',
          ':state': ended.failedState,
          ':error': ended.error,
          ':cause': ended.cause,
          ':queued': 'QUEUED',
          ':building': 'BUILDING',
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return updated?.Attributes ? withoutKeys<DeploymentRecord>(updated.Attributes) : undefined;
}

/** The statuses of a deployment whose execution may still be running: only these can be cancelled. */
export const CANCELLABLE_STATUSES = ['QUEUED', 'BUILDING'] as const;

/**
 * Marks a deployment CANCELLED, only while it is still QUEUED or BUILDING (decided by DynamoDB, so a
 * build that went live or failed meanwhile keeps its status); the updated record, or undefined when
 * the condition failed.
 */
export async function markDeploymentCancelled(project: string, id: string, by: string): Promise<DeploymentRecord | undefined> {
  const updated = await conditionally(
    dynamoClient().send(
      new UpdateCommand({
        TableName: platformNames().table,
        Key: deploymentKey(project, id),
        UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at, cancelledBy = :by',
        ConditionExpression: 'attribute_exists(pk) AND #status IN (:queued, :building)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':cancelled': 'CANCELLED',
          ':at': new Date().toISOString(),
          ':by': by,
          ':queued': 'QUEUED',
          ':building': 'BUILDING',
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return updated?.Attributes ? withoutKeys<DeploymentRecord>(updated.Attributes) : undefined;
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
