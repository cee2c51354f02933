import { Hono } from 'hono';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { randomBytes } from 'node:crypto';
import { s3Client } from '../../lib/clients.js';
import { platformNames } from '../../lib/config.js';
import { ApiError, parse } from '../errors.js';
import { accessedProject, jsonBody, type ApiEnv } from '../context.js';
import { CreateProjectBody, CreateSourceBody, ProjectName } from '../schemas.js';
import { createProject, linkProjectRepository, listProjects, markProjectDeleting } from '../records.js';
import { requireGrantedRepository } from '../github/installations.js';
import { executionName, startExecution } from '../executions.js';
import { tenantUrl, withBasePath } from '../../lib/tenant-url.js';
import { canAccessProject, requirePermission } from '../identity/access.js';
import { claimProjectSlot, releaseProjectSlot } from '../subscriptions/enforce.js';

export const projectRoutes = new Hono<ApiEnv>();

/** Init and delete act on the project's stack; they carry no source. */
async function startProjectExecution(operation: 'init-project' | 'delete-project', project: string, user: string) {
  const name = executionName(project, operation, Date.now().toString(36));
  const { executionArn } = await startExecution({
    operation,
    project,
    user,
    name,
    source: 'none',
    destination: `stack:slipway-project-${project}`,
    input: {},
  });
  return { executionArn, name };
}

/** The caller's own projects; every project for holders of projects:read-any. */
projectRoutes.get('/', async (c) => {
  const caller = c.get('caller');
  const visible = (await listProjects()).filter((project) => canAccessProject(caller, project, 'read'));
  return c.json({ projects: visible.map((project) => ({ ...project, url: withBasePath(tenantUrl(project.name), project.liveBasePath) })) });
});

/** Records the project, then starts init-project (which creates its stack and marks it READY). */
projectRoutes.post('/', async (c) => {
  const caller = requirePermission(c, 'projects:create');
  const { name, repository, productionBranch } = await jsonBody(c, CreateProjectBody);
  if (productionBranch !== undefined && repository === undefined) {
    throw new ApiError('BadRequest', 'body.productionBranch needs body.repository: a branch of which repository?', 'body.productionBranch');
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
});

projectRoutes.get('/:name', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const project = accessedProject(c);
  return c.json({ project: { ...project, url: withBasePath(tenantUrl(name), project.liveBasePath) } });
});

projectRoutes.delete('/:name', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const project = accessedProject(c);
  await markProjectDeleting(name);
  await releaseProjectSlot(project.owner, name);
  const caller = c.get('caller');
  const { executionArn } = await startProjectExecution('delete-project', name, caller.user);
  return c.json({ project: name, status: 'DELETING', executionArn }, 202);
});

/**
 * A presigned PUT for one source archive. The signature covers the declared length, so S3 refuses
 * an upload of any other size: the limit holds without the bytes passing through the API.
 */
projectRoutes.post('/:name/sources', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const { bytes } = await jsonBody(c, CreateSourceBody);
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
});

export function notReady(name: string, status: string): ApiError {
  return new ApiError('Conflict', `project ${name} is ${status}, not READY: wait for it to be created`, 'path.name');
}
