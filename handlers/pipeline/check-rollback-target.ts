import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../lib/clients.js';
import { platformNames } from '../lib/config.js';
import { deploymentPrefix, openState, requireDeploymentId } from './state.js';
import { instrumented } from '../lib/observability.js';
import { getDeploymentStatus } from '../lib/table/deployments.js';

/** Raised when the deployment asked for cannot be made live again; the message names it. */
function refused(message: string): Error {
  return Object.assign(new Error(message), { name: 'RollbackTargetInvalid' });
}

/**
 * Rollback's gate: the target must be a deployment of this project that went live once (status
 * LIVE) and whose promoted files are still in the project bucket. The API checks the same before
 * starting; this step decides, since the records may have changed in between.
 */
async function checkRollbackTarget(event: unknown): Promise<{ deploymentId: string; manifest: string }> {
  const { state } = await openState(event, 'rollback');
  const deploymentId = requireDeploymentId(state);
  const names = platformNames();
  const deployment = await getDeploymentStatus(state.project, deploymentId);
  if (!deployment) throw refused(`deployment ${deploymentId} of project ${state.project} does not exist`);
  if (deployment.status !== 'LIVE') {
    throw refused(
      `deployment ${deploymentId} of project ${state.project} never went live (status ${String(deployment.status)}): only a deployment that was live can be rolled back to`,
    );
  }
  const manifest = `${deploymentPrefix(state.project, deploymentId)}slipway-manifest.json`;
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: names.projectBucket, Key: manifest }));
  } catch (error) {
    throw refused(`deployment ${deploymentId} of project ${state.project} has no promoted files (${manifest}: ${(error as Error).name})`);
  }
  return { deploymentId, manifest };
}

export const handler = instrumented('check-rollback-target', checkRollbackTarget);
