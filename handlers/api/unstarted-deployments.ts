import { scanAll } from '../lib/table/pages.js';
import { executionStatus } from './executions.js';
import { markDeploymentEnded, type DeploymentRecord } from './records.js';

/**
 * Local mode, on start, before the API serves anything: a QUEUED deployment whose execution does
 * not exist was written by the previous run of the platform, which died before `StartExecution`
 * (the API runs in the platform's process, so nothing of this run can be starting it). Nothing will
 * ever start it, so it is recorded FAILED (`Slipway.NotStarted`) — its build slot is free already,
 * and `admin retry` starts it again. On AWS, where API calls overlap, the slots' grace period and
 * `admin retry` cover the same gap. Returns the ids it failed.
 */
export async function failUnstartedDeployments(): Promise<string[]> {
  const queued = (await scanAll({
    FilterExpression: 'entity = :deployment AND #status = :queued',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':deployment': 'deployment', ':queued': 'QUEUED' },
  })) as unknown as DeploymentRecord[];
  const failed: string[] = [];
  for (const deployment of queued) {
    if (!deployment.executionArn || (await executionStatus(deployment.executionArn)) !== undefined) continue;
    const ended = await markDeploymentEnded(deployment.project, deployment.id, {
      failedState: 'Execution',
      error: 'Slipway.NotStarted',
      cause: 'the platform stopped before the execution was started',
    });
    if (ended) failed.push(`${deployment.project}/${deployment.id}`);
  }
  return failed;
}
