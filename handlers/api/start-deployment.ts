import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../lib/clients.js';
import { platformNames } from '../lib/config.js';
import { putDeployment, setDeploymentExecution, type DeploymentRecord } from './records.js';
import { executionName, newDeploymentId, startExecution } from './executions.js';
import { reserveDeployment } from './subscriptions/enforce.js';

/** Whether a source archive is (still) in the source bucket. */
export async function sourceExists(key: string): Promise<boolean> {
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: platformNames().sourceBucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

export interface StartDeploymentRequest {
  project: string;
  user: string;
  /** The project's owner: their subscription's limits apply to the build. */
  owner: string;
  /** A key in the source bucket, already checked to belong to the project and to exist. */
  sourceKey: string;
  commit?: string;
  /** The deployment id to use (a retry claims its id before it starts); default a new one. */
  id?: string;
  /** The failed deployment this one retries. */
  retryOf?: string;
  /**
   * A preview alias (PreviewAlias, already validated): the deployment is released at
   * `<project>--<alias>` and the project's live deployment does not change.
   */
  preview?: string;
}

/**
 * Records a QUEUED deployment with a fresh id and starts build-and-deploy for it, with a fresh
 * ticket for exactly this execution. Used by POST /projects/{name}/deployments and the admin retry.
 */
export async function startDeployment(request: StartDeploymentRequest): Promise<DeploymentRecord & { executionArn: string }> {
  const names = platformNames();
  const id = request.id ?? newDeploymentId();
  const exeName = executionName(request.project, 'build-deploy', id, request.commit);
  const source = { bucket: names.sourceBucket, key: request.sourceKey };
  const record: DeploymentRecord = {
    id,
    project: request.project,
    status: 'QUEUED',
    createdAt: new Date().toISOString(),
    createdBy: request.user,
    source,
    executionName: exeName,
    ...(request.commit ? { commit: request.commit } : {}),
    ...(request.retryOf ? { retryOf: request.retryOf } : {}),
    ...(request.preview ? { preview: request.preview } : {}),
  };
  // Refuses with a 429 before anything is written when a limit is reached.
  const reservation = await reserveDeployment(request.owner, { project: request.project, deploymentId: id, build: true });
  try {
    await putDeployment(record);
  } catch (error) {
    await reservation.release();
    throw error;
  }
  const { executionArn } = await startExecution({
    limits: reservation.limits,
    operation: 'build-deploy',
    project: request.project,
    user: request.user,
    name: exeName,
    source: `s3://${source.bucket}/${source.key}`,
    destination: `s3://${names.projectBucket}/${request.project}/deployments/${id}/`,
    input: { deploymentId: id, source, ...(request.preview ? { preview: request.preview } : {}) },
    ...(request.preview ? { preview: request.preview } : {}),
  }).catch(async (error: unknown) => {
    await reservation.release();
    throw error;
  });
  await setDeploymentExecution(request.project, id, executionArn);
  return { ...record, executionArn };
}
