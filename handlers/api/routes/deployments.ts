import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../../lib/clients.js';
import { ApiError } from '../errors.js';
import { CreateDeploymentBody, LogsQuery } from '../schemas.js';
import { listDeployments, requireDeployment, type DeploymentRecord } from '../records.js';
import { sourceExists, startDeployment } from '../start-deployment.js';
import { notReady } from './projects.js';
import { buildEnded, logPrefix, readLogPage } from '../build-log.js';
import { tenantUrl, withBasePath } from '../../lib/tenant-url.js';
import { previewTooLong, previewUrl } from '../../previews/alias.js';
import { answerFor } from '../execution-answer.js';
import * as v from 'valibot';
import { Deployment, StateMachineGraph, ExecutionView } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

export const deploymentRoutes: ApiRoute[] = [];

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

deploymentRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/deployments',
    operationId: 'listDeployments',
    summary: "List a project's deployments, newest first",
    tag: 'deployments',
    access: 'project:read',
    responses: { 200: v.object({ deployments: v.array(Deployment) }) },
    errors: [400, 401, 404],
    handler: async (c, { params: { name }, project }) => {
      const deployments = await listDeployments(name);
      return c.json({ deployments: deployments.map((d) => withCurrent(d, project)) });
    },
  }),
);

/** Starts build-and-deploy for an uploaded source archive; the live version is untouched until release. */
deploymentRoutes.push(
  route({
    method: 'post',
    path: '/projects/{name}/deployments',
    operationId: 'createDeployment',
    summary: 'Build and deploy an uploaded source (starts build-and-deploy)',
    tag: 'deployments',
    access: 'project:write',
    body: CreateDeploymentBody,
    responses: { 202: v.object({ deployment: Deployment }) },
    errors: [400, 401, 404, 409, 413, 429],
    handler: async (c, { params: { name }, body, project }) => {
      if (body.preview !== undefined) {
        const tooLong = previewTooLong(name, body.preview);
        if (tooLong) throw new ApiError('BadRequest', `body.preview ${tooLong}`, 'body.preview');
      }
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
        ...(body.rootDirectory !== undefined ? { rootDirectory: body.rootDirectory } : {}),
      });
      return c.json({ deployment: withCurrent(deployment, project) }, 202);
    },
  }),
);

deploymentRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/deployments/{id}',
    operationId: 'getDeployment',
    summary: 'Get a deployment',
    tag: 'deployments',
    access: 'project:read',
    responses: { 200: v.object({ deployment: Deployment }) },
    errors: [400, 401, 404],
    handler: async (c, { params: { name, id }, project }) => {
      return c.json({ deployment: withCurrent(await requireDeployment(name, id), project) });
    },
  }),
);

/**
 * The build log from `cursor` on. The status is read before the listing, so `done` is only
 * true when the build had ended before we looked: no chunk can appear after it.
 */
deploymentRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/deployments/{id}/logs',
    operationId: 'getDeploymentLogs',
    summary: "A deployment's build log from a cursor on",
    tag: 'deployments',
    access: 'project:read',
    query: LogsQuery,
    responses: { 200: v.object({ text: v.string(), cursor: v.nullable(v.string()), done: v.boolean(), status: v.string() }) },
    errors: [400, 401, 404],
    handler: async (c, { params: { name, id }, query }) => {
      const { cursor } = query;
      if (cursor !== undefined && !cursor.startsWith(logPrefix(id)))
        throw new ApiError('BadRequest', `query.cursor must be a cursor returned for deployment ${id}`, 'query.cursor');
      const deployment = await requireDeployment(name, id);
      const ended = await buildEnded(deployment);
      const page = await readLogPage(id, cursor);
      const text = page.chunks.map((chunk) => chunk.text).join('');
      const next = page.chunks.at(-1)?.key ?? cursor;
      return c.json({ text, cursor: next ?? null, done: ended && !page.truncated, status: deployment.status });
    },
  }),
);

/**
 * The deployment's execution as a view (execution-view.ts), state by state: never the raw input,
 * output or history, which carry the ticket and, on AWS, the build's credentials. The same for every
 * role, admins included. With it, the state machine's graph (names, types, transitions) to draw it on.
 */
deploymentRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/deployments/{id}/execution',
    operationId: 'getDeploymentExecution',
    summary:
      "A deployment's pipeline execution, state by state: a view (status, times, summarised errors, allow-listed results), never the raw input, output or history, for every role",
    tag: 'deployments',
    access: 'project:read',
    responses: { 200: v.object({ execution: ExecutionView, stateMachine: v.optional(StateMachineGraph) }) },
    errors: [400, 401, 404],
    handler: async (c, { params: { name, id } }) => {
      const deployment = await requireDeployment(name, id);
      if (!deployment.executionArn) throw new ApiError('NotFound', `deployment ${id} has no execution yet`, 'path.id');
      const described = await sfnClient().send(new DescribeExecutionCommand({ executionArn: deployment.executionArn }));
      return c.json(await answerFor(described));
    },
  }),
);
