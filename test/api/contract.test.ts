import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { buildOpenApiDocument } from '../../handlers/api/openapi.js';
import { ROUTES, openApiDocument } from '../../handlers/api/routes/index.js';
import { route } from '../../handlers/api/route.js';
import type { ApiEnv } from '../../handlers/api/context.js';
import type { Context } from 'hono';
import { createApiApp } from '../../handlers/api/app.js';
import {
  createReadyProject,
  deployOnce,
  quickBuild,
  startApiHarness,
  TOKEN,
  waitFor,
  WEBHOOK_SECRET,
  type ApiHarness,
} from './support/api-harness.js';
import { checkResponse, documentPath } from './support/openapi-check.js';
import { validate } from './support/json-schema.js';
import { startGitHubOAuthServer, useGitHubOAuthServer } from '../support/github-oauth-server.js';

/**
 * The OpenAPI document against the app: (a) the same routes on both sides, (b) real responses
 * validate against the document's schemas for their status codes.
 */
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const doc = openApiDocument() as Record<string, any>;

describe('route table', () => {
  it('lists every route the app registers, and nothing else', () => {
    const fromApp = new Set(
      createApiApp()
        .routes.filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method.toUpperCase()} ${documentPath(r.path)}`),
    );
    const fromDoc = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of METHODS) if (item[method]) fromDoc.add(`${method.toUpperCase()} ${path}`);
    }
    expect(
      [...fromApp].filter((r) => !fromDoc.has(r)),
      'routes missing from the OpenAPI route table',
    ).toEqual([]);
    expect(
      [...fromDoc].filter((r) => !fromApp.has(r)),
      'documented routes the app does not serve',
    ).toEqual([]);
  });

  it('gives every operation parameters for its path, a success response and the error body', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const route of ROUTES) {
      const operation = doc.paths[route.path][route.method];
      const pathParams = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (operation.parameters ?? []).filter((p: any) => p.in === 'path');
      expect(
        declared.map((p: any) => p.name),
        route.operationId,
      ).toEqual(pathParams);
      for (const p of declared) expect(p.schema.pattern, `${route.operationId} {${p.name}}`).toEqual(expect.any(String));
      expect(
        Object.keys(operation.responses).some((s) => s.startsWith('2') || s === '302'),
        route.operationId,
      ).toBe(true);
      for (const [status, response] of Object.entries<any>(operation.responses)) {
        if (!status.startsWith('2') && status !== '302')
          expect(response.$ref, `${route.operationId} ${status}`).toBe(`#/components/responses/Error${status}`);
      }
      expect(operation.security === undefined, `${route.operationId} security`).toBe(route.auth);
      if (route.body) expect(operation.requestBody.content['application/json'].schema, route.operationId).toBeTypeOf('object');
    }
  });

  it('takes request schemas from the valibot schemas the handlers use', () => {
    const create = doc.paths['/projects'].post.requestBody.content['application/json'].schema;
    expect(create).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', pattern: expect.any(String) },
        repository: { type: 'string', maxLength: 140, pattern: expect.any(String) },
        productionBranch: { type: 'string', maxLength: 255, pattern: expect.any(String) },
      },
      required: ['name'],
      additionalProperties: false,
    });
    const executions = doc.paths['/executions'].get.parameters;
    expect(executions).toContainEqual(expect.objectContaining({ name: 'status', in: 'query', required: false }));
  });

  it('refuses a path parameter that has no schema', () => {
    const declared = { ...ROUTES[0]!, path: '/things/{thing}', operationId: 'getThing' };
    expect(() => buildOpenApiDocument([declared])).toThrow(/\{thing\} of \/things\/\{thing\} is not in PATH_PARAMETERS/);
    const thing = {
      method: 'get',
      path: '/things/{thing}',
      operationId: 'getThing',
      summary: 'A thing',
      tag: 'meta',
      access: 'signed-in',
      responses: {},
      errors: [],
      handler: (c: Context<ApiEnv>) => c.json({}),
    } as const;
    // @ts-expect-error {thing} is not a declared path parameter: the path does not type-check.
    expect(() => route(thing)).toThrow(/\{thing\} of \/things\/\{thing\} is not in PATH_PARAMETERS/);
  });

  it('refuses project access on a path that names no project', () => {
    expect(() =>
      route({
        method: 'get',
        path: '/admin/users/{login}',
        operationId: 'getUserAsProject',
        summary: 'Not a project route',
        tag: 'admin',
        access: 'project:read',
        responses: {},
        errors: [],
        handler: (c) => c.json({}),
      }),
    ).toThrow(/getUserAsProject declares project:read but its path does not start with \/projects\/\{name\}/);
  });
});

describe('responses of real calls', () => {
  let harness: ApiHarness;
  const covered = new Map<string, Set<number>>();
  const problems: string[] = [];
  let holdBuilds = false;
  let buildsHeld = 0;

  beforeAll(async () => {
    // A build waits while `holdBuilds` is set (so a deployment can be cancelled while BUILDING), until its execution is stopped.
    harness = await startApiHarness({
      buildJob: async (aws, request, options) => {
        if (holdBuilds) {
          buildsHeld++;
          await new Promise<void>((_, reject) =>
            options?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('killed'), { name: 'Batch.JobCancelled' }))),
          );
        }
        return quickBuild(aws, request, options);
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** One call, checked against the document; returns the body. */
  async function checked(
    method: string,
    path: string,
    init: { body?: string | Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    const url = `/api/v1${path}`;
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    const response = await harness.app.request(url, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body,
    });
    // A text/event-stream answer (the log stream) is checked as text against its declared media type.
    const eventStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    const text = eventStream ? await response.text() : undefined;
    const redirect = response.status === 302;
    const json = (text === undefined && !redirect ? await response.json() : {}) as Record<string, any>;
    problems.push(...checkResponse(doc, method, url, response.status, text ?? json));
    const pathname = new URL(url, 'http://localhost').pathname.slice('/api/v1'.length);
    const route = ROUTES.find(
      (r) => r.method === method.toLowerCase() && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname),
    );
    if (route) (covered.get(route.operationId) ?? covered.set(route.operationId, new Set()).get(route.operationId)!).add(response.status);
    return { status: response.status, json, text, headers: response.headers };
  }

  it('validates successes and errors of every operation against the document', async () => {
    expect((await checked('GET', '/health')).status).toBe(200);
    const served = await checked('GET', '/openapi.json', { headers: { authorization: '' } });
    expect(served.json).toEqual(JSON.parse(JSON.stringify(doc)));

    // Projects.
    expect((await checked('GET', '/projects')).status).toBe(200);
    await createReadyProject(harness, 'contract');
    expect((await checked('GET', '/projects')).json.projects.map((p: any) => p.name)).toContain('contract');
    expect((await checked('GET', '/projects/contract')).status).toBe(200);
    const created = await checked('POST', '/projects', { body: { name: 'contract-two' } });
    expect(created.status).toBe(202);
    await waitFor(
      () => harness.call('GET', '/projects/contract-two'),
      (r) => r.json.project.status !== 'CREATING',
    );
    expect((await checked('POST', '/projects', { body: { name: 'contract' } })).status).toBe(409);
    expect((await checked('POST', '/projects', { body: { name: 'Bad_Name' } })).status).toBe(400);
    expect((await checked('POST', '/projects', { body: '{nope' })).status).toBe(400);
    expect((await checked('POST', '/projects', { body: { name: 'x'.repeat(300_000) } })).status).toBe(413);
    expect((await checked('GET', '/projects', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await checked('GET', '/projects/Nope_')).status).toBe(400);
    expect((await checked('GET', '/projects/nosuch')).status).toBe(404);
    expect((await checked('GET', '/no/such/route')).status).toBe(404);
    expect((await checked('PUT', '/projects')).status).toBe(404);

    // Sources and deployments: two deployments, so that one can be rolled back to.
    expect((await checked('POST', '/projects/contract/sources', { body: { bytes: 12 } })).status).toBe(201);
    expect((await checked('POST', '/projects/contract/sources', { body: { bytes: 0 } })).status).toBe(400);
    expect((await checked('POST', '/projects/nosuch/sources', { body: { bytes: 12 } })).status).toBe(404);
    const first = await deployOnce(harness, 'contract');
    expect(first.status).toBe('LIVE');
    const archive = Buffer.from('second source');
    const source = await checked('POST', '/projects/contract/sources', { body: { bytes: archive.length } });
    await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
    const started = await checked('POST', '/projects/contract/deployments', { body: { source: { key: source.json.source.key } } });
    expect(started.status).toBe(202);
    const second = started.json.deployment.id as string;
    await waitFor(
      () => harness.call('GET', `/projects/contract/deployments/${second}`),
      (r) => ['LIVE', 'FAILED'].includes(r.json.deployment.status),
    );
    expect(
      (await checked('POST', '/projects/contract/deployments', { body: { source: { key: 'sources/contract/never.tar.gz' } } })).status,
    ).toBe(400);
    expect((await checked('GET', '/projects/contract/deployments')).status).toBe(200);
    expect((await checked('GET', `/projects/contract/deployments/${second}`)).json.deployment.current).toBe(true);
    expect((await checked('GET', '/projects/contract/deployments/not-an-id')).status).toBe(400);
    expect((await checked('GET', '/projects/contract/deployments/d-nosuch-0000')).status).toBe(404);
    expect((await checked('GET', `/projects/contract/deployments/${second}/logs`)).json.done).toBe(true);
    expect((await checked('GET', `/projects/contract/deployments/${second}/logs?cursor=elsewhere`)).status).toBe(400);
    expect((await checked('GET', `/projects/contract/deployments/${second}/execution`)).status).toBe(200);
    const stream = await checked('GET', `/projects/contract/deployments/${second}/logs/stream`);
    expect(stream.status).toBe(200);
    expect(stream.text).toContain(`event: log\ndata: slipway: installing\ndata: \nid: builds/${second}/log/00000000.txt`);
    expect(stream.text).toMatch(/event: end\ndata: \{"status":"LIVE"\}\n\n$/);
    const resumed = await checked('GET', `/projects/contract/deployments/${second}/logs/stream`, {
      headers: { 'last-event-id': `builds/${second}/log/00000000.txt` },
    });
    expect(resumed.text).not.toContain('installing');
    expect(
      (await checked('GET', `/projects/contract/deployments/${second}/logs/stream`, { headers: { 'last-event-id': 'elsewhere' } })).status,
    ).toBe(400);
    expect((await checked('GET', '/projects/contract/deployments/d-nosuch-0000/logs/stream')).status).toBe(404);
    const executionStream = await checked('GET', `/projects/contract/deployments/${second}/execution/stream`);
    expect(executionStream.status).toBe(200);
    expect(executionStream.text).toMatch(/^retry: 1000\n\nevent: execution\ndata: \{"execution":/);
    expect(executionStream.text).toMatch(/event: end\ndata: \{"status":"SUCCEEDED"\}\n\n$/);
    expect((await checked('GET', '/projects/contract/deployments/d-nosuch-0000/execution/stream')).status).toBe(404);

    // Cancel: a LIVE deployment cannot be, a BUILDING one can (its build is held until the execution stops).
    expect((await checked('POST', `/projects/contract/deployments/${second}/cancel`)).status).toBe(409);
    expect((await checked('POST', '/projects/contract/deployments/d-nosuch-0000/cancel')).status).toBe(404);
    holdBuilds = true;
    const heldSource = await checked('POST', '/projects/contract/sources', { body: { bytes: archive.length } });
    await fetch(heldSource.json.uploadUrl, { method: 'PUT', headers: heldSource.json.headers, body: archive });
    const held = await checked('POST', '/projects/contract/deployments', { body: { source: { key: heldSource.json.source.key } } });
    await waitFor(
      async () => buildsHeld,
      (n) => n > 0,
    );
    const cancelled = await checked('POST', `/projects/contract/deployments/${held.json.deployment.id}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.json.deployment.status).toBe('CANCELLED');
    holdBuilds = false;
    expect((await harness.engine.settled(held.json.deployment.executionArn)).status).toBe('ABORTED');
    expect((await checked('GET', '/projects/contract')).json.project.liveDeploymentId).toBe(second);
    expect((await checked('GET', '/executions')).status).toBe(200);
    expect((await checked('GET', '/executions?status=SUCCEEDED')).status).toBe(200);
    expect((await checked('GET', '/executions?status=NOPE')).status).toBe(400);
    const executionName = (await checked('GET', `/projects/contract/deployments/${second}`)).json.deployment.executionName;
    expect((await checked('GET', `/executions/${executionName}`)).json.execution.name).toBe(executionName);
    expect((await checked('GET', '/executions/contract--build-deploy--d-nosuch-0000')).status).toBe(404);
    expect((await checked('GET', '/executions/not%20a%20name')).status).toBe(400);

    // Rollback to the first deployment.
    expect((await checked('POST', '/projects/contract/rollback', { body: { deploymentId: second } })).status).toBe(409);
    expect((await checked('POST', '/projects/contract/rollback', { body: { deploymentId: 'd-nosuch-0000' } })).status).toBe(404);
    const rolledBack = await checked('POST', '/projects/contract/rollback', { body: { deploymentId: first.id } });
    expect(rolledBack.status).toBe(202);
    await waitFor(
      () => harness.call('GET', '/projects/contract'),
      (r) => r.json.project.liveDeploymentId === first.id || r.json.project.status !== 'READY',
    );

    // Admin: retry a deployment whose build failed (its record as a failed build leaves it), then the audit log.
    const retrySource = await checked('POST', '/projects/contract/sources', { body: { bytes: archive.length } });
    await fetch(retrySource.json.uploadUrl, { method: 'PUT', headers: retrySource.json.headers, body: archive });
    await harness.aws.platform.table.send(
      new PutCommand({
        TableName: 'slipway-platform',
        Item: {
          pk: 'PROJECT#contract',
          sk: 'DEPLOY#d-failed-0001',
          entity: 'deployment',
          id: 'd-failed-0001',
          project: 'contract',
          status: 'FAILED',
          createdAt: new Date().toISOString(),
          createdBy: 'admin',
          source: retrySource.json.source,
          executionName: 'contract--build-deploy--d-failed-0001',
          failedState: 'Build',
          error: 'Batch.JobFailed',
        },
      }),
    );
    const retried = await checked('POST', '/admin/executions/contract--build-deploy--d-failed-0001/retry');
    expect(retried.status).toBe(202);
    expect(retried.json.deployment.retryOf).toBe('d-failed-0001');
    await waitFor(
      () => harness.call('GET', `/projects/contract/deployments/${retried.json.deployment.id}`),
      (r) => ['LIVE', 'FAILED'].includes(r.json.deployment.status),
    );
    expect((await checked('POST', `/admin/executions/contract--build-deploy--${second}/retry`)).status).toBe(409);
    expect((await checked('POST', '/admin/executions/contract--build-deploy--d-nosuch-0000/retry')).status).toBe(404);
    expect((await checked('POST', '/admin/executions/not-an-execution/retry')).status).toBe(400);
    const audit = await checked('GET', '/admin/audit');
    expect(audit.status).toBe(200);
    expect(audit.json.entries.map((e: any) => e.action)).toEqual(
      expect.arrayContaining(['project.create', 'deployment.create', 'project.rollback', 'deployment.retry']),
    );
    expect((await checked('GET', '/admin/audit?month=2026-1&limit=10')).status).toBe(400);
    expect((await checked('POST', '/admin/template-rollout')).status).toBe(202);

    // Webhooks: signed, unsigned, wrongly signed.
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const webhookHeaders = (signature: string) => ({
      authorization: '',
      'content-type': 'application/json',
      'x-github-event': 'ping',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signature,
    });
    const pong = await checked('POST', '/webhooks/github', { body: ping, headers: webhookHeaders(await sign(WEBHOOK_SECRET, ping)) });
    expect(pong.status).toBe(200);
    expect((await checked('POST', '/webhooks/github', { body: ping, headers: webhookHeaders(`sha256=${'0'.repeat(64)}`) })).status).toBe(
      401,
    );
    const other = JSON.stringify({ zen: 'x' });
    const event = { ...webhookHeaders(await sign(WEBHOOK_SECRET, other)), 'x-github-event': 'issues' };
    expect((await checked('POST', '/webhooks/github', { body: other, headers: event })).status).toBe(202);

    // Settings, environment variables and domains.
    expect((await checked('GET', '/projects/contract/settings')).status).toBe(200);
    expect(
      (await checked('PATCH', '/projects/contract/settings', { body: { buildCommand: 'npm run build', nodeVersion: '22' } })).status,
    ).toBe(200);
    expect((await checked('PATCH', '/projects/contract/settings', { body: { rootDirectory: '../up' } })).status).toBe(400);
    expect((await checked('PUT', '/projects/contract/env/PUBLIC_NAME', { body: { value: 'contract' } })).status).toBe(200);
    expect(
      (
        await checked('PUT', '/projects/contract/env/API_TOKEN', {
          body: { value: 'contract-secret-value', secret: true, target: 'build' },
        })
      ).json.variable.value,
    ).toBeUndefined();
    expect((await checked('PUT', '/projects/contract/env/AWS_REGION', { body: { value: 'x' } })).status).toBe(400);
    expect((await checked('GET', '/projects/contract/env')).json.variables).toHaveLength(2);
    expect((await checked('DELETE', '/projects/contract/env/PUBLIC_NAME')).status).toBe(200);
    expect((await checked('DELETE', '/projects/contract/env/PUBLIC_NAME')).status).toBe(404);
    const domain = await checked('POST', '/projects/contract/domains', { body: { domain: 'contract.example.com' } });
    expect(domain.status).toBe(201);
    // Unproven, then proven once the TXT record holds the token.
    expect((await checked('POST', '/projects/contract/domains/contract.example.com/verify')).json.problem).toEqual(expect.any(String));
    const { name, value } = domain.json.domain.verification;
    harness.aws.platform.txtResolver = { resolveTxt: async (asked) => (asked === name ? [value] : []) };
    expect((await checked('POST', '/projects/contract/domains/contract.example.com/verify')).json.domain.status).toBe('VERIFIED');
    expect((await checked('POST', '/projects/contract/domains/elsewhere.example.com/verify')).status).toBe(404);
    expect((await checked('POST', '/projects/contract-two/domains', { body: { domain: 'contract.example.com' } })).status).toBe(409);
    expect((await checked('POST', '/projects/contract/domains', { body: { domain: 'Not A Host' } })).status).toBe(400);
    expect((await checked('GET', '/projects/contract/domains')).json.domains).toHaveLength(1);
    expect((await checked('DELETE', '/projects/contract/domains/contract.example.com')).status).toBe(200);
    expect((await checked('DELETE', '/projects/contract/domains/contract.example.com')).status).toBe(404);

    // Identity: sign-in with GitHub (against the local GitHub test server), users, roles and tokens.
    const github = await startGitHubOAuthServer();
    try {
      useGitHubOAuthServer(github, harness.aws, harness.aws.dir);
      const noAuth = { authorization: '' };
      const begin = await checked('GET', '/auth/github/login', { headers: noAuth });
      expect(begin.status).toBe(302);
      const flow = (begin.headers.getSetCookie().find((c) => c.startsWith('slipway_oauth=')) as string).split(';')[0] as string;
      const approved = github.approve(begin.headers.get('location') as string, { login: 'contract-user', id: 7 });
      const signedIn = await checked('GET', `/auth/github/callback?code=${approved.code}&state=${approved.state}`, {
        headers: { ...noAuth, cookie: flow },
      });
      expect(signedIn.status).toBe(302);
      expect(
        (await checked('GET', `/auth/github/callback?code=${approved.code}&state=forged`, { headers: { ...noAuth, cookie: flow } })).status,
      ).toBe(400);
      expect((await checked('POST', '/auth/logout', { headers: noAuth })).status).toBe(200);
      expect((await checked('GET', '/auth/methods', { headers: noAuth })).json).toEqual({ token: true, github: true });
    } finally {
      await github.close();
    }
    {
      // Token sign-in, as the dashboard's form does it: a session cookie for the token, never the token itself.
      const fromBrowser = { authorization: '', origin: 'http://localhost' };
      const session = await checked('POST', '/auth/token', { headers: fromBrowser, body: { token: TOKEN } });
      expect(session.status).toBe(200);
      expect(session.headers.getSetCookie().join(';')).not.toContain(TOKEN);
      expect((await checked('POST', '/auth/token', { headers: fromBrowser, body: { token: 'wrong-token-0123456789' } })).status).toBe(401);
      expect((await checked('POST', '/auth/token', { headers: fromBrowser, body: { token: 1 } })).status).toBe(400);
    }
    expect((await checked('GET', '/me')).json.via).toBe('admin-token');
    expect((await checked('POST', '/admin/users', { body: { login: 'contract-dev' } })).status).toBe(201);
    expect((await checked('POST', '/admin/users', { body: { login: 'contract-dev' } })).status).toBe(409);
    expect((await checked('POST', '/admin/users', { body: { login: 'admin' } })).status).toBe(400);
    expect((await checked('GET', '/admin/users')).json.users.map((u: any) => u.login)).toEqual(
      expect.arrayContaining(['contract-dev', 'contract-user']),
    );
    expect((await checked('GET', '/admin/users/contract-dev')).status).toBe(200);
    expect((await checked('GET', '/admin/users/nobody-here')).status).toBe(404);
    expect((await checked('PUT', '/admin/users/contract-dev/roles', { body: { roles: ['user', 'support'] } })).status).toBe(200);
    expect((await checked('PUT', '/admin/users/contract-dev/roles', { body: { roles: ['root'] } })).status).toBe(400);
    const issued = await checked('POST', '/admin/users/contract-dev/tokens', { body: { label: 'ci' } });
    expect(issued.status).toBe(201);
    const dev = { authorization: `Bearer ${issued.json.token}` };
    expect((await checked('GET', '/me/tokens', { headers: dev })).json.tokens).toHaveLength(1);
    const own = await checked('POST', '/me/tokens', { body: { label: 'laptop' }, headers: dev });
    expect(own.status).toBe(201);
    expect((await checked('DELETE', `/me/tokens/${own.json.record.id}`, { headers: dev })).status).toBe(200);
    expect((await checked('DELETE', '/me/tokens/0000000000000000', { headers: dev })).status).toBe(404);
    expect((await checked('POST', '/admin/users', { body: { login: 'by-support' }, headers: dev })).status).toBe(403);
    expect((await checked('DELETE', `/admin/users/contract-dev/tokens/${issued.json.record.id}`)).status).toBe(200);
    expect((await checked('DELETE', '/admin/users/contract-dev')).status).toBe(200);

    // GitHub: an installation grants a repository, the project links it, a fork's pull request
    // starts a preview without secrets (no App is configured: it fails at Fetch source), an owner approves it.
    const signedEvent = async (name: string, payload: unknown) => {
      const body = JSON.stringify(payload);
      return checked('POST', '/webhooks/github', {
        body,
        headers: { ...webhookHeaders(await sign(WEBHOOK_SECRET, body)), 'x-github-event': name },
      });
    };
    const installation = { id: 99, account: { login: 'admin' } };
    expect(
      (await signedEvent('installation', { action: 'created', installation, repositories: [{ full_name: 'octo/contract' }] })).status,
    ).toBe(202);
    expect((await checked('GET', '/github/repositories')).json.repositories).toEqual([{ repository: 'octo/contract', installationId: 99 }]);
    expect((await checked('PUT', '/projects/contract/repository', { body: { repository: 'octo/other' } })).status).toBe(403);
    expect(
      (await checked('PUT', '/projects/contract/repository', { body: { repository: 'octo/contract', productionBranch: 'main' } })).status,
    ).toBe(200);
    const pr = await signedEvent('pull_request', {
      action: 'opened',
      number: 3,
      pull_request: {
        head: { sha: 'e'.repeat(40), ref: 'fix', repo: { full_name: 'fork/contract' } },
        base: { ref: 'main', repo: { full_name: 'octo/contract' } },
      },
      repository: { full_name: 'octo/contract' },
      installation: { id: 99 },
    });
    expect(pr.status).toBe(202);
    const withheld = pr.json.deliveries[0].deploymentId as string;
    expect((await checked('POST', `/projects/contract/deployments/${withheld}/approve`)).status).toBe(202);
    expect((await checked('POST', `/projects/contract/deployments/${withheld}/approve`)).status).toBe(409);

    // Subscriptions and limits: the admin routes, the caller's limits, and a 429 from a limit.
    const subscriptions = await checked('GET', '/admin/subscriptions');
    expect(subscriptions.status).toBe(200);
    const free = subscriptions.json.subscriptions.find((s: any) => s.name === 'free');
    expect(
      (await checked('PUT', '/admin/subscriptions/contract', { body: { limits: { ...free.limits, deploymentsPerDay: 1 } } })).status,
    ).toBe(200);
    expect(
      (await checked('PUT', '/admin/subscriptions/contract', { body: { limits: { ...free.limits, deploymentsPerDay: 0 } } })).status,
    ).toBe(400);
    expect((await checked('PUT', '/admin/users/admin/subscription', { body: { subscription: 'nosuch' } })).status).toBe(404);
    expect((await checked('PUT', '/admin/users/admin/subscription', { body: { subscription: 'contract' } })).status).toBe(200);
    expect((await checked('GET', '/me/limits')).json.subscription).toBe('contract');
    const limited = await checked('POST', '/projects/contract/rollback', { body: { deploymentId: second } });
    expect(limited.status).toBe(429);
    expect(limited.json.error.field).toBe('limit.deploymentsPerDay');

    // Delete last.
    expect((await checked('DELETE', '/projects/contract-two')).status).toBe(202);
    expect((await checked('DELETE', '/projects/nosuch')).status).toBe(404);
    await waitFor(
      () => harness.call('GET', '/projects/contract-two'),
      (r) => r.status === 404 || r.json.project.status !== 'DELETING',
    );

    expect(problems).toEqual([]);
    const withoutSuccess = ROUTES.filter(
      (r) => ![...(covered.get(r.operationId) ?? [])].some((s) => (s >= 200 && s < 300) || (s === 302 && r.redirect)),
    ).map((r) => r.operationId);
    expect(withoutSuccess, 'operations this test never saw succeed: add a call above').toEqual([]);
  });

  it('answers every error with the documented error body', async () => {
    const error = { $ref: '#/components/schemas/Error' };
    const missing = await harness.app.request('/api/v1/projects');
    expect(validate(error, await missing.json(), doc)).toEqual([]);
    expect(validate(error, { error: { code: 'Nope', message: 'x' } }, doc)).not.toEqual([]);
    expect(validate(error, { error: { code: 'BadRequest', message: 'x', extra: 1 } }, doc)).not.toEqual([]);
  });
});
