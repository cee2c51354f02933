import { platformNames, platformStage } from '../../lib/config.js';
import { projectStackName } from '../../lib/stage.js';
import { ApiError } from '../errors.js';
import { DeploymentId, ProjectName, RollbackBody } from '../schemas.js';
import { getDeployment } from '../records.js';
import { executionName, startExecution } from '../executions.js';
import { reserveDeployment } from '../subscriptions/enforce.js';
import * as v from 'valibot';
import { route, type ApiRoute } from '../route.js';

export const rollbackRoutes: ApiRoute[] = [];

/**
 * Starts the rollback workflow, which makes an earlier deployment live again: no rebuild, no CDN
 * invalidation, only the project stack and the live pointer move. The target must have gone live
 * once and must not be the live one, and a preview's deployment needs `promote: true`; the workflow
 * checks the target again before it acts.
 */
rollbackRoutes.push(
  route({
    method: 'post',
    path: '/projects/{name}/rollback',
    operationId: 'rollbackProject',
    summary: 'Make an earlier deployment live again (starts rollback: no rebuild, no CDN invalidation)',
    tag: 'deployments',
    access: 'project:write',
    body: RollbackBody,
    responses: {
      202: v.object({
        rollback: v.object({ project: ProjectName, deploymentId: DeploymentId, executionArn: v.string(), executionName: v.string() }),
      }),
    },
    errors: [400, 401, 404, 409, 413, 429],
    handler: async (c, { params: { name }, body, project }) => {
      const { deploymentId } = body;
      const deployment = await getDeployment(name, deploymentId);
      if (!deployment) throw new ApiError('NotFound', `deployment ${deploymentId} of project ${name} does not exist`, 'body.deploymentId');
      if (project.status !== 'READY') {
        throw new ApiError('Conflict', `project ${name} is ${project.status}, not READY: it cannot be rolled back now`, 'path.name');
      }
      if (project.liveDeploymentId === deploymentId) {
        throw new ApiError('Conflict', `deployment ${deploymentId} is already live for project ${name}`, 'body.deploymentId');
      }
      if (deployment.status !== 'LIVE') {
        throw new ApiError(
          'Conflict',
          `deployment ${deploymentId} never went live (status ${deployment.status}): only a deployment that was live can be rolled back to`,
          'body.deploymentId',
        );
      }
      // The CLI asks first (rollback --promote); the API refuses too, so no other client makes a
      // branch's preview production by accident.
      if (deployment.preview !== undefined && body.promote !== true) {
        throw new ApiError(
          'Conflict',
          `deployment ${deploymentId} is a deployment of preview ${deployment.preview}: send promote: true to make it live for project ${name}`,
          'body.deploymentId',
        );
      }
      const exeName = executionName(name, 'rollback', `${deploymentId}-${Date.now().toString(36)}`);
      // A rollback is a release: it counts against deploymentsPerDay (it builds nothing).
      const reservation = await reserveDeployment(project.owner, { project: name, build: false });
      const { executionArn } = await startExecution({
        limits: reservation.limits,
        operation: 'rollback',
        project: name,
        user: c.get('caller').user,
        name: exeName,
        source: `s3://${platformNames().projectBucket}/${name}/deployments/${deploymentId}/`,
        destination: `stack:${projectStackName(platformStage(), name)}`,
        input: { deploymentId },
      }).catch(async (error: unknown) => {
        await reservation.release();
        throw error;
      });
      return c.json({ rollback: { project: name, deploymentId, executionArn, executionName: exeName } }, 202);
    },
  }),
);
