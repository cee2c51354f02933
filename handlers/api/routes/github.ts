import { Hono } from 'hono';
import { ApiError, parse } from '../errors.js';
import { accessedProject, jsonBody, type ApiEnv } from '../context.js';
import { DeploymentId, LinkRepositoryBody, ProjectName } from '../schemas.js';
import { claimDeploymentApproval, getProject, linkProjectRepository, releaseDeploymentApproval, requireDeployment } from '../records.js';
import { linkableRepositories, requireGrantedRepository } from '../github/installations.js';
import { newDeploymentId } from '../executions.js';
import { startDeployment } from '../start-deployment.js';
import { notReady } from './projects.js';

/** Repositories the caller may link: those granted by App installations their GitHub login owns. */
export const githubRoutes = new Hono<ApiEnv>();

githubRoutes.get('/repositories', async (c) => {
  return c.json({ repositories: await linkableRepositories(c.get('caller').user) });
});

/** Project routes that involve GitHub: linking a repository, approving a fork's preview. */
export const githubProjectRoutes = new Hono<ApiEnv>();

/**
 * Links a project to a repository, so its pushes deploy it. Only a repository that an
 * installation owned by the caller's login grants: otherwise anyone could deploy (and read,
 * through the build) a repository the App was installed on by someone else.
 */
githubProjectRoutes.put('/:name/repository', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const body = await jsonBody(c, LinkRepositoryBody);
  await requireGrantedRepository(c.get('caller').user, body.repository);
  await linkProjectRepository(name, body.repository, body.productionBranch);
  const project = await getProject(name);
  if (!project) throw new ApiError('NotFound', `project ${name} does not exist`, 'path.name');
  return c.json({ project }, 200);
});

/**
 * An owner approves a preview built from a fork without secrets: the same commit is deployed
 * again, this time with the project's secrets. One approval per withheld deployment.
 */
githubProjectRoutes.post('/:name/deployments/:id/approve', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const id = parse(DeploymentId, c.req.param('id'), 'path');
  const project = accessedProject(c);
  const withheld = await requireDeployment(name, id);
  if (!withheld.withholdSecrets || !withheld.github) {
    throw new ApiError('Conflict', `deployment ${id} was built with the project's secrets: there is nothing to approve`, 'path.id');
  }
  if (withheld.approvedBy)
    throw new ApiError('Conflict', `deployment ${id} was already approved as ${withheld.approvedAs ?? '?'}`, 'path.id');
  if (project.status !== 'READY') throw notReady(name, project.status);
  const user = c.get('caller').user;
  const newId = newDeploymentId();
  if (!(await claimDeploymentApproval(name, id, user, newId)))
    throw new ApiError('Conflict', `deployment ${id} was already approved`, 'path.id');
  try {
    const deployment = await startDeployment({
      project: name,
      user,
      owner: project.owner,
      id: newId,
      github: withheld.github,
      ...(withheld.preview ? { preview: withheld.preview } : {}),
      approvalOf: id,
    });
    return c.json({ deployment }, 202);
  } catch (error) {
    await releaseDeploymentApproval(name, id, newId).catch((release: unknown) =>
      console.error('slipway api: could not release the approval claim', release),
    );
    throw error;
  }
});
