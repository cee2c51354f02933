import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ApiError } from '../errors.js';
import { bound } from '../../lib/bindings/platform.js';
import { sfnClient } from '../../lib/clients.js';
import { AuditQuery, BUILD_DEPLOY_EXECUTION } from '../schemas.js';
import {
  CANCELLABLE_STATUSES,
  claimDeploymentRetry,
  findDeploymentByExecutionName,
  markDeploymentEnded,
  releaseDeploymentRetry,
  requireProject,
  type DeploymentRecord,
} from '../records.js';
import { executionStatus, newDeploymentId } from '../executions.js';
import { sourceExists, startDeployment } from '../start-deployment.js';
import { queryAuditMonth } from '../../lib/table/audit.js';
import { notReady } from './projects.js';
import * as v from 'valibot';
import { Deployment, AuditEntry } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

/** Operator routes: each names the permission it needs (handlers/api/identity/roles.ts). */
export const adminRoutes: ApiRoute[] = [];

/** The entry a page token names (its sort key, `<at>#<unique>`), which must be of the month listed. */
function auditPosition(token: string, month: string): string {
  const sortKey = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9a-f]{1,64}$/.test(sortKey) || !sortKey.startsWith(`${month}-`)) {
    throw new ApiError(
      'BadRequest',
      `query.nextToken is not a page token of the month ${month}: list again from the first page`,
      'query.nextToken',
    );
  }
  return sortKey;
}

/** The audit log of one month (UTC, default the current one), newest first. */
adminRoutes.push(
  route({
    method: 'get',
    path: '/admin/audit',
    operationId: 'listAuditEntries',
    summary:
      'The audit log of one month (UTC, default the current one), newest first: every mutating call that succeeded; `nextToken` (in the answer while the month has more) gives the next page (admin)',
    tag: 'admin',
    access: 'audit:read',
    query: AuditQuery,
    responses: { 200: v.object({ month: v.string(), entries: v.array(AuditEntry), nextToken: v.optional(v.string()) }) },
    errors: [400, 401, 403],
    handler: async (c, { query }) => {
      const month = query.month ?? new Date().toISOString().slice(0, 7);
      const after = query.nextToken === undefined ? undefined : auditPosition(query.nextToken, month);
      const page = await queryAuditMonth(month, query.limit === undefined ? 100 : Number(query.limit), after);
      return c.json({ month, entries: page.entries, ...(page.last ? { nextToken: Buffer.from(page.last).toString('base64url') } : {}) });
    },
  }),
);

/** How long a deployment may wait for its execution to start before it counts as never started (the slots' grace too). */
const NOT_STARTED_AFTER_MS = 60_000;

/** Execution statuses that end without the workflow's failure path recording anything. */
const ENDED_UNRECORDED = ['ABORTED', 'TIMED_OUT'];

/**
 * A deployment that is not FAILED may still be retried when its execution was ABORTED or
 * TIMED_OUT: no failure path ran, so its record may still say QUEUED or BUILDING. That record is
 * made FAILED first (what happened, in error and cause), so it never stays in flight; a CANCELLED
 * one keeps its status (someone stopped it on purpose) and is retried as it is.
 */
async function settleForRetry(project: string, deployment: DeploymentRecord): Promise<DeploymentRecord> {
  if (deployment.status === 'FAILED') return deployment;
  const notRetryable = (why: string) =>
    new ApiError(
      'Conflict',
      `deployment ${deployment.id} is ${deployment.status}, not FAILED, and ${why}: only a failed deployment, or one whose execution was ABORTED or TIMED_OUT, can be retried`,
      'path.execution',
    );
  if (!deployment.executionArn) throw notRetryable('it has no execution');
  const status = await executionStatus(deployment.executionArn);
  if (status === undefined) {
    // Never started: the API stopped between writing the record and StartExecution. Past the grace
    // period nothing will start it any more.
    if (
      !(CANCELLABLE_STATUSES as readonly string[]).includes(deployment.status) ||
      Date.now() - Date.parse(deployment.createdAt) < NOT_STARTED_AFTER_MS
    ) {
      throw notRetryable('its execution has not started');
    }
    return (
      (await markDeploymentEnded(project, deployment.id, {
        failedState: 'Execution',
        error: 'Slipway.NotStarted',
        cause: 'the execution was never started',
      })) ?? deployment
    );
  }
  if (!ENDED_UNRECORDED.includes(status)) throw notRetryable(`its execution is ${status}`);
  if (deployment.status === 'CANCELLED') return deployment;
  if (!(CANCELLABLE_STATUSES as readonly string[]).includes(deployment.status)) throw notRetryable(`its execution is ${status}`);
  const ended = await markDeploymentEnded(project, deployment.id, {
    failedState: 'Execution',
    error: status === 'ABORTED' ? 'States.Aborted' : 'States.Timeout',
    cause: status === 'ABORTED' ? 'the execution was aborted' : 'the execution timed out',
  });
  // Lost a race (the record moved on meanwhile): the claim below decides on the current record.
  return ended ?? deployment;
}

/**
 * Retries a FAILED deployment (or one whose execution was ABORTED or TIMED_OUT): a NEW build-and-deploy execution of the same source, with a fresh
 * deployment id and a fresh ticket; the new deployment records `retryOf`, the old one `retriedBy`
 * (so a failed deployment is retried at most once; a failed retry can be retried in turn).
 *
 * On AWS, `RedriveExecution` could resume a failed Standard execution from the state that failed.
 * A new execution is used on both back ends instead: the ticket the failed execution carries may
 * have expired, and the build must start clean rather than from half-written outputs.
 */
adminRoutes.push(
  route({
    method: 'post',
    path: '/admin/executions/{execution}/retry',
    operationId: 'retryExecution',
    summary:
      'Retry a FAILED deployment by its build-and-deploy execution: a new execution of the same source with a fresh deployment id and ticket (admin)',
    tag: 'admin',
    access: 'executions:retry',
    responses: { 202: v.object({ deployment: Deployment }) },
    errors: [400, 401, 403, 404, 409, 413, 429],
    handler: async (c, { params: { execution: name } }) => {
      const project = (BUILD_DEPLOY_EXECUTION.exec(name) as RegExpExecArray)[1] as string;
      const deployment = await findDeploymentByExecutionName(project, name);
      if (!deployment) throw new ApiError('NotFound', `no deployment has the execution ${name}`, 'path.execution');
      if (deployment.retriedBy) {
        throw new ApiError('Conflict', `deployment ${deployment.id} was already retried as ${deployment.retriedBy}`, 'path.execution');
      }
      await settleForRetry(project, deployment);
      const current = await requireProject(project);
      if (current.status !== 'READY') throw notReady(project, current.status);
      // A GitHub deployment fetches its commit again; an uploaded source must still be there.
      if (!deployment.github && !(await sourceExists(deployment.source.key))) {
        throw new ApiError(
          'Conflict',
          `the source ${deployment.source.key} of deployment ${deployment.id} no longer exists: deploy again`,
          'path.execution',
        );
      }
      const id = newDeploymentId();
      if (!(await claimDeploymentRetry(project, deployment.id, id))) {
        throw new ApiError(
          'Conflict',
          `deployment ${deployment.id} is no longer FAILED (or CANCELLED) or was already retried`,
          'path.execution',
        );
      }
      try {
        const started = await startDeployment({
          project,
          user: c.get('caller').user,
          owner: current.owner,
          ...(deployment.github ? { github: deployment.github } : { sourceKey: deployment.source.key }),
          ...(deployment.preview ? { preview: deployment.preview } : {}),
          ...(deployment.withholdSecrets ? { withholdSecrets: true } : {}),
          ...(deployment.commit ? { commit: deployment.commit } : {}),
          ...(deployment.rootDirectory ? { rootDirectory: deployment.rootDirectory } : {}),
          id,
          retryOf: deployment.id,
          // A retried preview is released under the same alias.
          ...(deployment.preview ? { preview: deployment.preview } : {}),
        });
        return c.json({ deployment: started }, 202);
      } catch (error) {
        await releaseDeploymentRetry(project, deployment.id, id).catch((release: unknown) =>
          console.error('slipway api: could not release the retry claim', release),
        );
        throw error;
      }
    },
  }),
);

/**
 * Starts the template rollout (workflows/template-rollout.ts) by hand: after a platform update the
 * platform starts it itself; an operator starts it again to retry the stacks a run reported failed.
 */
adminRoutes.push(
  route({
    method: 'post',
    path: '/admin/template-rollout',
    operationId: 'startTemplateRollout',
    summary:
      'Roll the current per-project template out to every project stack still behind it, a few at a time; the execution’s output lists the upgraded, skipped and failed projects (admin)',
    tag: 'admin',
    access: 'executions:retry',
    responses: { 202: v.object({ execution: v.object({ name: v.string(), executionArn: v.string() }) }) },
    errors: [401, 403],
    handler: async (c) => {
      const stateMachineArn = bound('executions', 'no execution starter is bound').templateRollout;
      if (!stateMachineArn) throw new ApiError('Internal', 'the platform names no template rollout state machine');
      const name = `template-rollout-${newDeploymentId().slice(2)}`;
      const started = await sfnClient().send(new StartExecutionCommand({ stateMachineArn, name, input: '{}' }));
      if (!started.executionArn) throw new Error('StartExecution returned no executionArn');
      return c.json({ execution: { name, executionArn: started.executionArn } }, 202);
    },
  }),
);
