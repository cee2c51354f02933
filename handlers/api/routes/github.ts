import { ApiError } from '../errors.js';
import { LinkRepositoryBody } from '../schemas.js';
import { claimDeploymentApproval, getProject, linkProjectRepository, releaseDeploymentApproval, requireDeployment } from '../records.js';
import { linkableRepositories, requireGrantedRepository } from '../github/installations.js';
import { newDeploymentId } from '../executions.js';
import { startDeployment } from '../start-deployment.js';
import { notReady } from './projects.js';
import * as v from 'valibot';
import { Project, Deployment, LinkableRepository } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

/** Repositories the caller may link: those granted by App installations their GitHub login owns. */
export const githubRoutes: ApiRoute[] = [];

githubRoutes.push(
  route({
    method: 'get',
    path: '/github/repositories',
    operationId: 'listLinkableRepositories',
    summary: 'Repositories the caller may link: those granted by GitHub App installations their login owns',
    tag: 'github',
    access: 'signed-in',
    responses: { 200: v.object({ repositories: v.array(LinkableRepository) }) },
    errors: [401],
    handler: async (c) => {
      return c.json({ repositories: await linkableRepositories(c.get('caller').user) });
    },
  }),
);

/** Project routes that involve GitHub: linking a repository, approving a fork's preview. */
export const githubProjectRoutes: ApiRoute[] = [];

/**
 * Links a project to a repository, so its pushes deploy it. Only a repository that an
 * installation owned by the caller's login grants: otherwise anyone could deploy (and read,
 * through the build) a repository the App was installed on by someone else.
 */
githubProjectRoutes.push(
  route({
    method: 'put',
    path: '/projects/{name}/repository',
    operationId: 'linkProjectRepository',
    summary:
      "Link a project to a GitHub repository (403 unless an App installation owned by the caller's login grants it); its pushes then deploy it",
    tag: 'github',
    access: 'project:write',
    body: LinkRepositoryBody,
    responses: { 200: v.object({ project: Project }) },
    errors: [400, 401, 403, 404, 413],
    handler: async (c, { params: { name }, body }) => {
      await requireGrantedRepository(c.get('caller').user, body.repository);
      await linkProjectRepository(name, body.repository, body.productionBranch);
      const project = await getProject(name);
      if (!project) throw new ApiError('NotFound', `project ${name} does not exist`, 'path.name');
      return c.json({ project }, 200);
    },
  }),
);

/**
 * An owner approves a preview built from a fork without secrets: the same commit is deployed
 * again, this time with the project's secrets. One approval per withheld deployment.
 */
githubProjectRoutes.push(
  route({
    method: 'post',
    path: '/projects/{name}/deployments/{id}/approve',
    operationId: 'approveDeployment',
    summary:
      "Approve a fork's preview built without secrets: deploys the same commit again with the project's secrets (once; 409 otherwise)",
    tag: 'github',
    access: 'project:write',
    responses: { 202: v.object({ deployment: Deployment }) },
    errors: [400, 401, 404, 409, 413],
    handler: async (c, { params: { name, id }, project }) => {
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
    },
  }),
);
