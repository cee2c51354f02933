import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { randomBytes } from 'node:crypto';
import { s3Client } from '../../lib/clients.js';
import { platformNames, platformStage } from '../../lib/config.js';
import { projectStackName } from '../../lib/stage.js';
import { ApiError } from '../errors.js';
import { CreateProjectBody, CreateSourceBody, ProjectName } from '../schemas.js';
import {
  createProject,
  getDeployments,
  linkProjectRepository,
  listProjects,
  markProjectDeleting,
  type DeploymentRecord,
} from '../records.js';
import { requireGrantedRepository } from '../github/installations.js';
import { executionName, startExecution } from '../executions.js';
import { tenantUrl, withBasePath } from '../../lib/tenant-url.js';
import { canAccessProject } from '../identity/access.js';
import { claimProjectSlot, releaseProjectSlot } from '../subscriptions/enforce.js';
import * as v from 'valibot';
import { Project, ProjectListItem, Source } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

export const projectRoutes: ApiRoute[] = [];

/** Init and delete act on the project's stack; they carry no source. */
async function startProjectExecution(operation: 'init-project' | 'delete-project', project: string, user: string) {
  const name = executionName(project, operation, Date.now().toString(36));
  const { executionArn } = await startExecution({
    operation,
    project,
    user,
    name,
    source: 'none',
    destination: `stack:${projectStackName(platformStage(), project)}`,
    input: {},
  });
  return { executionArn, name };
}

/** What a live deployment was made from, as the projects list shows it. */
function liveSummary(deployment: DeploymentRecord) {
  const { id, createdBy, github, commit } = deployment;
  return github
    ? { id, createdBy, source: 'github' as const, commit: github.commit, repository: github.repository }
    : { id, createdBy, source: 'upload' as const, ...(commit ? { commit } : {}) };
}

/** The caller's own projects, each with its live deployment (one batched read); every project for holders of projects:read-any. */
projectRoutes.push(
  route({
    method: 'get',
    path: '/projects',
    operationId: 'listProjects',
    summary: 'List projects',
    tag: 'projects',
    access: 'signed-in',
    responses: { 200: v.object({ projects: v.array(ProjectListItem) }) },
    errors: [401],
    handler: async (c) => {
      const caller = c.get('caller');
      const visible = (await listProjects()).filter((project) => canAccessProject(caller, project, 'read'));
      const live = await getDeployments(
        visible.flatMap((project) => (project.liveDeploymentId ? [{ project: project.name, id: project.liveDeploymentId }] : [])),
      );
      const liveOf = new Map(live.map((deployment) => [deployment.project, deployment]));
      return c.json({
        projects: visible.map((project) => {
          const deployment = liveOf.get(project.name);
          return {
            ...project,
            url: withBasePath(tenantUrl(project.name), project.liveBasePath),
            ...(deployment && deployment.id === project.liveDeploymentId ? { live: liveSummary(deployment) } : {}),
          };
        }),
      });
    },
  }),
);

/** Records the project, then starts init-project (which creates its stack and marks it READY). */
projectRoutes.push(
  route({
    method: 'post',
    path: '/projects',
    operationId: 'createProject',
    summary: 'Create a project (starts init-project)',
    tag: 'projects',
    access: 'projects:create',
    body: CreateProjectBody,
    responses: { 202: v.object({ project: Project, executionArn: v.string() }) },
    errors: [400, 401, 409, 413, 429],
    handler: async (c, { body }) => {
      const caller = c.get('caller');
      const { name, repository, productionBranch } = body;
      if (productionBranch !== undefined && repository === undefined) {
        throw new ApiError(
          'BadRequest',
          'body.productionBranch needs body.repository: a branch of which repository?',
          'body.productionBranch',
        );
      }
      // Before anything is written: a refused repository leaves no project behind.
      if (repository !== undefined) await requireGrantedRepository(caller.user, repository);
      const project = await createProject(name, caller.user);
      // After the record exists, so a concurrent create sees it when it counts (projectsPerUser).
      await claimProjectSlot(caller.user, name);
      if (repository !== undefined) await linkProjectRepository(name, repository, productionBranch);
      const { executionArn, name: exeName } = await startProjectExecution('init-project', name, caller.user);
      const linked =
        repository === undefined ? {} : { repository: repository.toLowerCase(), ...(productionBranch ? { productionBranch } : {}) };
      return c.json({ project: { ...project, ...linked, executionName: exeName }, executionArn }, 202);
    },
  }),
);

projectRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}',
    operationId: 'getProject',
    summary: 'Get a project',
    tag: 'projects',
    access: 'project:read',
    responses: { 200: v.object({ project: Project }) },
    errors: [400, 401, 404],
    handler: async (c, { params: { name }, project }) => {
      return c.json({ project: { ...project, url: withBasePath(tenantUrl(name), project.liveBasePath) } });
    },
  }),
);

projectRoutes.push(
  route({
    method: 'delete',
    path: '/projects/{name}',
    operationId: 'deleteProject',
    summary: 'Delete a project (starts delete-project)',
    tag: 'projects',
    access: 'project:write',
    responses: { 202: v.object({ project: ProjectName, status: v.literal('DELETING'), executionArn: v.string() }) },
    errors: [400, 401, 404, 409, 413],
    handler: async (c, { params: { name }, project }) => {
      await markProjectDeleting(name);
      await releaseProjectSlot(project.owner, name);
      const caller = c.get('caller');
      const { executionArn } = await startProjectExecution('delete-project', name, caller.user);
      return c.json({ project: name, status: 'DELETING', executionArn }, 202);
    },
  }),
);

/**
 * A presigned PUT for one source archive. The signature covers the declared length, so S3 refuses
 * an upload of any other size: the limit holds without the bytes passing through the API.
 */
projectRoutes.push(
  route({
    method: 'post',
    path: '/projects/{name}/sources',
    operationId: 'createSourceUpload',
    summary: 'Get a presigned upload for a source archive',
    tag: 'deployments',
    access: 'project:write',
    body: CreateSourceBody,
    responses: {
      201: v.object({
        uploadUrl: v.string(),
        method: v.literal('PUT'),
        headers: v.record(v.string(), v.string()),
        source: Source,
        expiresIn: v.number(),
      }),
    },
    errors: [400, 401, 404, 413],
    handler: async (c, { params: { name }, body }) => {
      const { bytes } = body;
      const bucket = platformNames().sourceBucket;
      const key = `sources/${name}/${Date.now().toString(36)}-${randomBytes(6).toString('hex')}.tar.gz`;
      const uploadUrl = await getSignedUrl(
        s3Client(),
        new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: bytes, ContentType: 'application/gzip' }),
        { expiresIn: 900 },
      );
      return c.json(
        { uploadUrl, method: 'PUT', headers: { 'content-type': 'application/gzip' }, source: { bucket, key }, expiresIn: 900 },
        201,
      );
    },
  }),
);

export function notReady(name: string, status: string): ApiError {
  return new ApiError('Conflict', `project ${name} is ${status}, not READY: wait for it to be created`, 'path.name');
}
