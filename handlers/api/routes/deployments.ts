import { Hono } from 'hono';
import { DescribeExecutionCommand, DescribeStateMachineCommand, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { sfnClient } from '../../lib/clients.js';
import { ApiError, parse } from '../errors.js';
import { accessedProject, jsonBody, type ApiEnv } from '../context.js';
import { CreateDeploymentBody, DeploymentId, LogsQuery, ProjectName } from '../schemas.js';
import { listDeployments, requireDeployment, type DeploymentRecord } from '../records.js';
import { sourceExists, startDeployment } from '../start-deployment.js';
import { notReady } from './projects.js';
import { buildEnded, logPrefix, readLogPage } from '../build-log.js';
import { tenantUrl, withBasePath } from '../../lib/tenant-url.js';
import { previewTooLong, previewUrl } from '../../previews/alias.js';
import { executionView } from '../execution-view.js';
import { stateMachineGraph } from '../state-machine-graph.js';

export const deploymentRoutes = new Hono<ApiEnv>();

/**
 * `current`: this is the project's live deployment. `url`: where it answers — a preview's own host
 * (which the latest deployment of that alias serves), or the project's host for the live one.
 */
function withCurrent(deployment: DeploymentRecord, project: { liveDeploymentId?: string; liveBasePath?: string }) {
  const current = deployment.id === project.liveDeploymentId;
  const url = deployment.preview
    ? previewUrl(deployment.project, deployment.preview)
    : current
      ? withBasePath(tenantUrl(deployment.project), project.liveBasePath)
      : undefined;
  return { ...deployment, current, ...(url ? { url } : {}) };
}

deploymentRoutes.get('/:name/deployments', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const project = accessedProject(c);
  const deployments = await listDeployments(name);
  return c.json({ deployments: deployments.map((d) => withCurrent(d, project)) });
});

/** Starts build-and-deploy for an uploaded source archive; the live version is untouched until release. */
deploymentRoutes.post('/:name/deployments', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const body = await jsonBody(c, CreateDeploymentBody);
  if (body.preview !== undefined) {
    const tooLong = previewTooLong(name, body.preview);
    if (tooLong) throw new ApiError('BadRequest', `body.preview ${tooLong}`, 'body.preview');
  }
  const project = accessedProject(c);
  if (project.status !== 'READY') throw notReady(name, project.status);
  if (!body.source.key.startsWith(`sources/${name}/`) || body.source.key.includes('..')) {
    throw new ApiError(
      'BadRequest',
      `body.source.key must be a source uploaded for project ${name} (sources/${name}/...)`,
      'body.source.key',
    );
  }
  if (!(await sourceExists(body.source.key))) {
    throw new ApiError('BadRequest', `body.source.key ${body.source.key} was not uploaded`, 'body.source.key');
  }
  const deployment = await startDeployment({
    project: name,
    user: c.get('caller').user,
    owner: project.owner,
    sourceKey: body.source.key,
    commit: body.commit,
    ...(body.preview !== undefined ? { preview: body.preview } : {}),
  });
  return c.json({ deployment: withCurrent(deployment, project) }, 202);
});

deploymentRoutes.get('/:name/deployments/:id', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const id = parse(DeploymentId, c.req.param('id'), 'path');
  const project = accessedProject(c);
  return c.json({ deployment: withCurrent(await requireDeployment(name, id), project) });
});

/**
 * The build log from `cursor` on. The status is read before the listing, so `done` is only
 * true when the build had ended before we looked: no chunk can appear after it.
 */
deploymentRoutes.get('/:name/deployments/:id/logs', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const id = parse(DeploymentId, c.req.param('id'), 'path');
  const { cursor } = parse(LogsQuery, c.req.query(), 'query');
  if (cursor !== undefined && !cursor.startsWith(logPrefix(id)))
    throw new ApiError('BadRequest', `query.cursor must be a cursor returned for deployment ${id}`, 'query.cursor');
  const deployment = await requireDeployment(name, id);
  const ended = await buildEnded(deployment);
  const page = await readLogPage(id, cursor);
  const text = page.chunks.map((chunk) => chunk.text).join('');
  const next = page.chunks.at(-1)?.key ?? cursor;
  return c.json({ text, cursor: next ?? null, done: ended && !page.truncated, status: deployment.status });
});

/** A polling state loops: an execution's history may span pages. More than this many events is not a Slipway execution. */
const MAX_HISTORY_PAGES = 10;

async function executionHistory(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const result = await sfnClient().send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    events.push(...(result.events ?? []));
    nextToken = result.nextToken;
    if (!nextToken) break;
  }
  return events;
}

/**
 * The deployment's execution as a view (execution-view.ts), state by state: never the raw input,
 * output or history, which carry the ticket and, on AWS, the build's credentials. The same for every
 * role, admins included. With it, the state machine's graph (names, types, transitions) to draw it on.
 */
deploymentRoutes.get('/:name/deployments/:id/execution', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const id = parse(DeploymentId, c.req.param('id'), 'path');
  const deployment = await requireDeployment(name, id);
  if (!deployment.executionArn) throw new ApiError('NotFound', `deployment ${id} has no execution yet`, 'path.id');
  const described = await sfnClient().send(new DescribeExecutionCommand({ executionArn: deployment.executionArn }));
  const [events, machine] = await Promise.all([
    executionHistory(deployment.executionArn),
    described.stateMachineArn
      ? sfnClient().send(new DescribeStateMachineCommand({ stateMachineArn: described.stateMachineArn }))
      : undefined,
  ]);
  const graph = machine ? stateMachineGraph(machine.name ?? '', machine.definition) : undefined;
  return c.json({ execution: executionView(described, events), ...(graph ? { stateMachine: graph } : {}) });
});
