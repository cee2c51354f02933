import { ApiError } from './errors.js';
import {
  getProjectItem,
  markProjectItemDeleting,
  putNewProject,
  queryProjectItems,
  queryProjectItemsOfRepository,
  setProjectRepository,
  type ProjectRecord,
} from '../lib/table/projects.js';
import {
  batchGetDeploymentItems,
  findDeploymentItemByExecutionName,
  getDeploymentItem,
  putDeploymentItem,
  queryDeploymentItems,
  setDeploymentExecutionArn,
  markDeploymentCancelled as markDeploymentItemCancelled,
  type DeploymentRecord,
} from '../lib/table/deployments.js';

/**
 * Projects and deployments as the API speaks of them: the table module's access patterns, with
 * the API's errors for what is missing or taken.
 */

export type { DeploymentRecord, ProjectRecord };
export {
  CANCELLABLE_STATUSES,
  claimDeploymentApproval,
  claimDeploymentRetry,
  markDeploymentEnded,
  releaseDeploymentApproval,
  releaseDeploymentRetry,
} from '../lib/table/deployments.js';

const byName = (a: ProjectRecord, b: ProjectRecord) => a.name.localeCompare(b.name);

/** Creates the META item; a second create of the same name is a conflict, decided by DynamoDB. */
export async function createProject(name: string, owner: string): Promise<ProjectRecord> {
  const record: ProjectRecord = { name, owner, status: 'CREATING', createdAt: new Date().toISOString() };
  if (!(await putNewProject(record))) throw new ApiError('Conflict', `project ${name} already exists`, 'body.name');
  return record;
}

export const getProject = getProjectItem;

export async function requireProject(name: string): Promise<ProjectRecord> {
  const project = await getProject(name);
  if (!project) throw new ApiError('NotFound', `project ${name} does not exist`, 'path.name');
  return project;
}

/** Moves a project to DELETING unless it is already being deleted. */
export async function markProjectDeleting(name: string): Promise<void> {
  if (!(await markProjectItemDeleting(name))) throw new ApiError('Conflict', `project ${name} is already being deleted`, 'path.name');
}

/** Every project, by name. */
export async function listProjects(): Promise<ProjectRecord[]> {
  return (await queryProjectItems()).sort(byName);
}

/**
 * Links a project to a GitHub repository (stored lowercase: GitHub names are case-insensitive).
 * No `productionBranch` means the repository's default branch. Checking that the caller's
 * installation grants the repository belongs to the route that calls this.
 */
export async function linkProjectRepository(name: string, repository: string, productionBranch?: string): Promise<void> {
  if (!(await setProjectRepository(name, repository.toLowerCase(), productionBranch))) {
    throw new ApiError('NotFound', `project ${name} does not exist`, 'path.name');
  }
}

/** The projects linked to a repository, by name. */
export async function findProjectsByRepository(repository: string): Promise<ProjectRecord[]> {
  return (await queryProjectItemsOfRepository(repository.toLowerCase())).sort(byName);
}

export const putDeployment = putDeploymentItem;
export const setDeploymentExecution = setDeploymentExecutionArn;
export const getDeployment = getDeploymentItem;
/** Several deployments by key in batched reads (no query per project); missing ones are left out. */
export const getDeployments = batchGetDeploymentItems;

export async function requireDeployment(project: string, id: string): Promise<DeploymentRecord> {
  const deployment = await getDeployment(project, id);
  if (!deployment) throw new ApiError('NotFound', `deployment ${id} of project ${project} does not exist`, 'path.id');
  return deployment;
}

/** Newest first. */
export async function listDeployments(project: string, limit = 50): Promise<DeploymentRecord[]> {
  return queryDeploymentItems(project, limit);
}

/**
 * The deployment a build-and-deploy execution belongs to: the project is the part of the name
 * before `--build-deploy--`, the deployment is found in its partition by `executionName`.
 */
export const findDeploymentByExecutionName = findDeploymentItemByExecutionName;

/**
 * Marks a deployment CANCELLED by `by`, only while it is still QUEUED or BUILDING (decided by
 * DynamoDB, so a build that went live or failed meanwhile keeps its status); the updated record,
 * or undefined when the condition failed.
 */
export async function markDeploymentCancelled(project: string, id: string, by: string): Promise<DeploymentRecord | undefined> {
  return markDeploymentItemCancelled(project, id, by, new Date().toISOString());
}
