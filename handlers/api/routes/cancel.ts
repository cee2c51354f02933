import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../../lib/clients.js';
import { ApiError } from '../errors.js';
import { CANCELLABLE_STATUSES, getDeployment, markDeploymentCancelled, requireDeployment, type DeploymentRecord } from '../records.js';
import { executionArnOf, stateMachineArnFor } from '../executions.js';
import * as v from 'valibot';
import { Deployment } from '../responses.js';
import { route, type ApiRoute } from '../route.js';
import { giveStackTurn } from '../../lib/table/stack-turn.js';
import { CANCELLED_STOP_ERROR } from '../../lib/names.js';

export const cancelRoutes: ApiRoute[] = [];

const cancellable = (status: string) => (CANCELLABLE_STATUSES as readonly string[]).includes(status);

function notCancellable(deployment: DeploymentRecord): ApiError {
  return new ApiError(
    'Conflict',
    `deployment ${deployment.id} is ${deployment.status}: only a ${CANCELLABLE_STATUSES.join(' or ')} deployment can be cancelled`,
    'path.id',
  );
}

/** The execution of a deployment; a QUEUED one may not have its ARN recorded yet, but its name is known. */
function executionArnFor(deployment: DeploymentRecord): string | undefined {
  if (deployment.executionArn) return deployment.executionArn;
  return deployment.executionName ? executionArnOf(stateMachineArnFor('build-deploy'), deployment.executionName) : undefined;
}

/**
 * Cancels a QUEUED or BUILDING deployment: stops its execution (StopExecution; on AWS Step Functions
 * then terminates the Batch job of a `.sync` step, locally the engine kills the sandboxed job), then
 * marks it CANCELLED if it is still QUEUED or BUILDING. The live version does not change: the live
 * pointer only moves in Release, which a stopped execution never reaches.
 */
cancelRoutes.push(
  route({
    method: 'post',
    path: '/projects/{name}/deployments/{id}/cancel',
    operationId: 'cancelDeployment',
    summary: 'Cancel a QUEUED or BUILDING deployment: stops its execution and build; the live version stays live (409 otherwise)',
    tag: 'deployments',
    access: 'project:write',
    responses: { 202: v.object({ deployment: Deployment }) },
    errors: [400, 401, 404, 409, 413],
    handler: async (c, { params: { name, id } }) => {
      const deployment = await requireDeployment(name, id);
      if (!cancellable(deployment.status)) throw notCancellable(deployment);
      const executionArn = executionArnFor(deployment);
      const caller = c.get('caller').user;
      if (executionArn) {
        try {
          await sfnClient().send(
            new StopExecutionCommand({ executionArn, error: CANCELLED_STOP_ERROR, cause: `deployment ${id} was cancelled by ${caller}` }),
          );
        } catch (error) {
          // Not started yet (a QUEUED deployment whose StartExecution has not happened): nothing to stop.
          if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
        }
        // A stopped execution never gives its project stack's turn back itself: the next one need not wait out the lease.
        await giveStackTurn(name, executionArn.slice(executionArn.lastIndexOf(':') + 1));
      }
      const cancelled = await markDeploymentCancelled(name, id, caller);
      if (!cancelled) {
        // It ended (or was cancelled) between the read and the update.
        const now = await getDeployment(name, id);
        throw notCancellable(now ?? deployment);
      }
      return c.json({ deployment: cancelled }, 202);
    },
  }),
);
