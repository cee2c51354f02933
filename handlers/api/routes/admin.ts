import { Hono } from 'hono';
import { ApiError, parse } from '../errors.js';
import type { ApiEnv } from '../context.js';
import { AuditQuery, BUILD_DEPLOY_EXECUTION, BuildDeployExecutionName } from '../schemas.js';
import { claimDeploymentRetry, findDeploymentByExecutionName, releaseDeploymentRetry, requireProject } from '../records.js';
import { newDeploymentId } from '../executions.js';
import { sourceExists, startDeployment } from '../start-deployment.js';
import { listAuditEntries } from '../audit.js';
import { notReady } from './projects.js';
import { requirePermission } from '../identity/access.js';

/** Operator routes: each names the permission it needs (handlers/api/identity/roles.ts). */
export const adminRoutes = new Hono<ApiEnv>();

/** The audit log of one month (UTC, default the current one), newest first. */
adminRoutes.get('/audit', async (c) => {
  requirePermission(c, 'audit:read');
  const query = parse(AuditQuery, c.req.query(), 'query');
  const month = query.month ?? new Date().toISOString().slice(0, 7);
  return c.json({ month, entries: await listAuditEntries(month, query.limit === undefined ? 100 : Number(query.limit)) });
});

/**
 * Retries a FAILED deployment: a NEW build-and-deploy execution of the same source, with a fresh
 * deployment id and a fresh ticket; the new deployment records `retryOf`, the old one `retriedBy`
 * (so a failed deployment is retried at most once; a failed retry can be retried in turn).
 *
 * On AWS, `RedriveExecution` could resume a failed Standard execution from the state that failed.
 * A new execution is used on both back ends instead: the ticket the failed execution carries may
 * have expired, and the build must start clean rather than from half-written outputs.
 */
adminRoutes.post('/executions/:execution/retry', async (c) => {
  requirePermission(c, 'executions:retry');
  const name = parse(BuildDeployExecutionName, c.req.param('execution'), 'path');
  const project = (BUILD_DEPLOY_EXECUTION.exec(name) as RegExpExecArray)[1] as string;
  const deployment = await findDeploymentByExecutionName(project, name);
  if (!deployment) throw new ApiError('NotFound', `no deployment has the execution ${name}`, 'path.execution');
  if (deployment.status !== 'FAILED') {
    throw new ApiError('Conflict', `deployment ${deployment.id} is ${deployment.status}, not FAILED: only a failed deployment can be retried`, 'path.execution');
  }
  if (deployment.retriedBy) {
    throw new ApiError('Conflict', `deployment ${deployment.id} was already retried as ${deployment.retriedBy}`, 'path.execution');
  }
  const current = await requireProject(project);
  if (current.status !== 'READY') throw notReady(project, current.status);
  // A GitHub deployment fetches its commit again; an uploaded source must still be there.
  if (!deployment.github && !(await sourceExists(deployment.source.key))) {
    throw new ApiError('Conflict', `the source ${deployment.source.key} of deployment ${deployment.id} no longer exists: deploy again`, 'path.execution');
  }
  const id = newDeploymentId();
  if (!(await claimDeploymentRetry(project, deployment.id, id))) {
    throw new ApiError('Conflict', `deployment ${deployment.id} is no longer FAILED or was already retried`, 'path.execution');
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
      id,
      retryOf: deployment.id,
      // A retried preview is released under the same alias.
      ...(deployment.preview ? { preview: deployment.preview } : {}),
    });
    return c.json({ deployment: started }, 202);
  } catch (error) {
    await releaseDeploymentRetry(project, deployment.id, id).catch((release: unknown) => console.error('slipway api: could not release the retry claim', release));
    throw error;
  }
});
