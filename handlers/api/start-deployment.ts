import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../lib/clients.js';
import { isMissingObject } from '../lib/s3-objects.js';
import { platformNames } from '../lib/config.js';
import { putDeployment, setDeploymentExecution, type DeploymentRecord } from './records.js';
import { executionArnOf, executionName, newDeploymentId, stateMachineArnFor, startExecution } from './executions.js';
import { reserveDeployment } from './subscriptions/enforce.js';
import { githubSourceKey, githubSourceUri, type GithubSource } from '../lib/github/source-ref.js';

/**
 * Whether a source archive is (still) in the source bucket. Only S3's "not found" means no: any
 * other failure (storage down, access refused) is the platform's, and says so instead of telling
 * the user to upload again.
 */
export async function sourceExists(key: string): Promise<boolean> {
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: platformNames().sourceBucket, Key: key }));
    return true;
  } catch (error) {
    if (isMissingObject(error)) return false;
    throw error;
  }
}

export interface StartDeploymentRequest {
  project: string;
  user: string;
  /** The project's owner: their subscription's limits apply to the build. */
  owner: string;
  /** A key in the source bucket, already checked to belong to the project and to exist (not with `github`). */
  sourceKey?: string;
  /** A commit on GitHub instead: the workflow's *Fetch source* step stores it at githubSourceKey(). */
  github?: GithubSource;
  /** A fork's pull request: built without the project's secrets until an owner approves. */
  withholdSecrets?: boolean;
  /** The withheld deployment whose approval started this one. */
  approvalOf?: string;
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
  /** The app's folder in the source (RootDirectory, already validated), over the project's rootDirectory setting. */
  rootDirectory?: string;
}

/**
 * Records a QUEUED deployment with a fresh id and starts build-and-deploy for it, with a fresh
 * ticket for exactly this execution. Used by POST /projects/{name}/deployments and the admin retry.
 */
export async function startDeployment(request: StartDeploymentRequest): Promise<DeploymentRecord & { executionArn: string }> {
  const names = platformNames();
  const id = request.id ?? newDeploymentId();
  const github = request.github;
  const commit = request.commit ?? github?.commit;
  const exeName = executionName(request.project, 'build-deploy', id, commit);
  const sourceKey = github ? githubSourceKey(request.project, id) : request.sourceKey;
  if (!sourceKey) throw new Error('startDeployment needs a sourceKey or a github source');
  const source = { bucket: names.sourceBucket, key: sourceKey };
  const record: DeploymentRecord = {
    id,
    project: request.project,
    status: 'QUEUED',
    createdAt: new Date().toISOString(),
    createdBy: request.user,
    source,
    executionName: exeName,
    // Known before the start (Step Functions' naming rule): a platform that dies between writing
    // the record and starting the execution leaves a record that still names where to look.
    executionArn: executionArnOf(stateMachineArnFor('build-deploy'), exeName),
    ...(commit ? { commit } : {}),
    ...(request.retryOf ? { retryOf: request.retryOf } : {}),
    ...(github ? { github: { repository: github.repository, commit: github.commit, installationId: github.installationId } } : {}),
    ...(request.preview ? { preview: request.preview } : {}),
    ...(request.withholdSecrets ? { withholdSecrets: true, secrets: 'withheld' as const } : {}),
    ...(request.approvalOf ? { approvalOf: request.approvalOf } : {}),
    ...(request.rootDirectory ? { rootDirectory: request.rootDirectory } : {}),
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
    // A GitHub source is named by the ticket as what to fetch; the fetch step checks it.
    source: github ? githubSourceUri(github) : `s3://${source.bucket}/${source.key}`,
    destination: `s3://${names.projectBucket}/${request.project}/deployments/${id}/`,
    input: {
      deploymentId: id,
      ...(github ? { github } : { source }),
      ...(request.preview ? { preview: request.preview } : {}),
      ...(request.withholdSecrets ? { withholdSecrets: true } : {}),
      ...(request.rootDirectory ? { rootDirectory: request.rootDirectory } : {}),
    },
    ...(request.preview ? { preview: request.preview } : {}),
  }).catch(async (error: unknown) => {
    await reservation.release();
    throw error;
  });
  await setDeploymentExecution(request.project, id, executionArn);
  return { ...record, executionArn };
}
