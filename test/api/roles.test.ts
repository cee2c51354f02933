import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ROUTES } from '../../handlers/api/routes/index.js';
import { ROLES } from '../../handlers/api/identity/roles.js';
import { permissionTableMarkdown } from '../../handlers/api/identity/permission-table.js';
import { createReadyProject, deployOnce, startApiHarness, TOKEN, userWithToken, type ApiHarness } from './support/api-harness.js';

/**
 * Every route, with every role. The expectations are written out here by hand — not derived from
 * the route table — so a route whose handler checks less (or more) than intended fails.
 * `owner` is a plain `user` who owns the project under test; each other caller holds one role
 * (or none) and owns nothing.
 */
type CallerName = 'admin' | 'owner' | (typeof ROLES)[number] | 'no-roles';
const EVERYONE: CallerName[] = ['admin', 'owner', ...ROLES, 'no-roles'];
const PROJECT_READ: CallerName[] = ['admin', 'owner', 'support', 'maintainer'];
const PROJECT_WRITE: CallerName[] = ['admin', 'owner', 'maintainer'];
const USER_READERS: CallerName[] = ['admin', 'support', 'maintainer', 'subscription-manager', 'role-manager'];

const EXPECTED: Record<string, CallerName[]> = {
  listProjects: EVERYONE,
  createProject: ['admin', 'owner', 'user'],
  getProject: PROJECT_READ,
  deleteProject: PROJECT_WRITE,
  createSourceUpload: PROJECT_WRITE,
  listDeployments: PROJECT_READ,
  createDeployment: PROJECT_WRITE,
  getDeployment: PROJECT_READ,
  getDeploymentLogs: PROJECT_READ,
  streamDeploymentLogs: PROJECT_READ,
  cancelDeployment: PROJECT_WRITE,
  getDeploymentExecution: PROJECT_READ,
  streamDeploymentExecution: PROJECT_READ,
  rollbackProject: PROJECT_WRITE,
  listExecutions: ['admin', 'support', 'maintainer'],
  getExecution: ['admin', 'support', 'maintainer'],
  listAuditEntries: ['admin', 'support', 'maintainer'],
  retryExecution: ['admin', 'maintainer'],
  startTemplateRollout: ['admin', 'maintainer'],
  getMe: EVERYONE,
  listMyTokens: EVERYONE,
  issueMyToken: EVERYONE,
  revokeMyToken: EVERYONE,
  listUsers: USER_READERS,
  getUser: USER_READERS,
  createUser: ['admin', 'maintainer'],
  setUserRoles: ['admin', 'role-manager'],
  deleteUser: ['admin', 'maintainer'],
  issueUserToken: ['admin', 'maintainer'],
  revokeUserToken: ['admin', 'maintainer'],
  listSubscriptions: ['admin', 'support', 'maintainer', 'subscription-manager'],
  putSubscription: ['admin', 'subscription-manager'],
  assignSubscription: ['admin', 'subscription-manager'],
  getMyLimits: EVERYONE,
  getProjectSettings: PROJECT_READ,
  updateProjectSettings: PROJECT_WRITE,
  listProjectEnv: PROJECT_READ,
  setProjectEnv: PROJECT_WRITE,
  unsetProjectEnv: PROJECT_WRITE,
  listProjectDomains: PROJECT_READ,
  addProjectDomain: PROJECT_WRITE,
  removeProjectDomain: PROJECT_WRITE,
  verifyProjectDomain: PROJECT_WRITE,
  linkProjectRepository: PROJECT_WRITE,
  listLinkableRepositories: EVERYONE,
  approveDeployment: PROJECT_WRITE,
};
const PUBLIC = [
  'getHealth',
  'getOpenApiDocument',
  'beginGithubSignIn',
  'completeGithubSignIn',
  'signOut',
  'signInWithToken',
  'listSignInMethods',
  'receiveGithubWebhook',
];

let harness: ApiHarness;
const callers = new Map<CallerName, Record<string, string>>();
let liveId: string;

beforeAll(async () => {
  harness = await startApiHarness();
  callers.set('admin', { authorization: `Bearer ${TOKEN}` });
  callers.set('owner', await userWithToken(harness, 'owner', ['user']));
  for (const role of ROLES) callers.set(role, await userWithToken(harness, `role-${role}`, [role]));
  callers.set('no-roles', await userWithToken(harness, 'no-roles', []));
  const owner = callers.get('owner') as Record<string, string>;
  await createReadyProject(harness, 'owned', owner);
  liveId = (await deployOnce(harness, 'owned', { headers: owner })).id;
  // A project being deleted: DELETE on it is a 409 for whoever may delete, so walking it deletes nothing.
  await createReadyProject(harness, 'doomed', owner);
  await harness.aws.platform.table.send(
    new UpdateCommand({
      TableName: 'slipway-platform',
      Key: { pk: 'PROJECT#doomed', sk: 'META' },
      UpdateExpression: 'SET #s = :d',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':d': 'DELETING' },
    }),
  );
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

/** A concrete path for a route: parameters name things that exist, chosen so that no walk changes state. */
function concretePath(route: (typeof ROUTES)[number]): string {
  return route.path
    .replace('{name}', route.operationId === 'deleteProject' ? 'doomed' : 'owned')
    .replace('{id}', liveId)
    .replace('{execution}', `owned--build-deploy--${liveId}`)
    .replace('{executionName}', `owned--build-deploy--${liveId}`)
    .replace('{login}', 'owner')
    .replace('{token}', '0000000000000000')
    .replace('{subscription}', 'free')
    .replace('{key}', 'NOT_SET_ANYWHERE')
    .replace('{domain}', 'nowhere.example.com');
}

describe('every route with every role', () => {
  it('has an expectation for every route, and public routes are exactly the public ones', () => {
    const authed = ROUTES.filter((r) => r.access !== 'public').map((r) => r.operationId);
    expect(
      authed.filter((id) => !EXPECTED[id]),
      'routes without an expectation in this test',
    ).toEqual([]);
    expect(
      ROUTES.filter((r) => r.access === 'public')
        .map((r) => r.operationId)
        .sort(),
    ).toEqual([...PUBLIC].sort());
  });

  for (const route of ROUTES.filter((r) => r.access !== 'public')) {
    it(`${route.method.toUpperCase()} ${route.path}`, async () => {
      const allowed = new Set(EXPECTED[route.operationId]);
      const path = concretePath(route);
      const projectRoute = route.path.startsWith('/projects/{name}');
      for (const [name, headers] of callers) {
        // A body no schema accepts: a caller who gets past authorization gets a 400, and nothing changes.
        const result = await harness.call(route.method.toUpperCase(), path, route.body ? { 'not-a-field': 1 } : undefined, headers);
        const hidden = result.status === 404 && /^project \S+ does not exist$/.test(result.json.error?.message ?? '');
        const where = `${name} → ${result.status} ${JSON.stringify(result.json).slice(0, 160)}`;
        if (allowed.has(name)) {
          expect([401, 403].includes(result.status) || hidden, where).toBe(false);
          expect(result.status, where).not.toBe(500);
        } else if (projectRoute && !PROJECT_READ.includes(name)) {
          expect(hidden, `${where}: a project the caller cannot read must look absent`).toBe(true);
        } else {
          expect(result.status, where).toBe(403);
          expect(result.json.error.code, where).toBe('Forbidden');
        }
      }
    });
  }

  it('lists only the projects a caller may read', async () => {
    const names = async (caller: CallerName) =>
      (await harness.call('GET', '/projects', undefined, callers.get(caller))).json.projects.map((p: any) => p.name);
    expect(await names('owner')).toEqual(['doomed', 'owned']);
    expect(await names('user')).toEqual([]);
    expect(await names('support')).toEqual(expect.arrayContaining(['doomed', 'owned']));
  });

  it('keeps docs/PERMISSIONS.md in step with the route and role tables (npm run docs:permissions)', () => {
    expect(readFileSync(new URL('../../docs/PERMISSIONS.md', import.meta.url), 'utf8')).toBe(permissionTableMarkdown());
  });
});
