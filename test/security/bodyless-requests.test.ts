import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { handler as apiLambda } from '../../handlers/api/lambda.js';
import { createPlatformApp } from '../../infra/local/platform-app.js';
import { createEdgeServer, type EdgeServer } from '../../infra/local/edge/server.js';
import {
  createReadyProject,
  deployOnce,
  quickBuild,
  startApiHarness,
  TOKEN,
  userWithToken,
  waitFor,
  type ApiHarness,
} from '../api/support/api-harness.js';
import { putObject } from '../support/local-aws.js';
import { rawRequest, type BodyFraming } from '../support/raw-http.js';

/**
 * Attack/defect: a POST or DELETE without a body (no Content-Length, `Content-Length: 0`, or
 * chunked) answered 500 through the local edge, because the request node-server hands out could
 * not be copied by Hono's body limit. Every route of the OpenAPI document gets every framing on a
 * raw socket through the edge server the platform uses, and each CLI verb that sends no body works.
 */
const CLI = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'slipway.js');
const PROJECT = 'bodyless';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** Builds of sources in `failing` fail; those in `holding` run until their execution is stopped. */
const failing = new Set<string>();
const holding = new Set<string>();

let harness: ApiHarness;
let edge: EdgeServer;
let apiUrl: string;
let liveDeployment: string;

beforeAll(async () => {
  harness = await startApiHarness({
    buildJob: async (aws, request, options) => {
      const key = request.environment.SLIPWAY_SOURCE_KEY as string;
      if (failing.has(key)) throw Object.assign(new Error('the build failed'), { name: 'Batch.JobFailed' });
      if (holding.has(key)) {
        await putObject(
          aws.s3,
          'slipway-builds',
          `builds/${request.environment.SLIPWAY_BUILD_ID as string}/log/00000000.txt`,
          'slipway: installing\n',
        );
        await new Promise<never>((_, reject) => {
          const stop = () => reject(Object.assign(new Error('build job killed'), { name: 'Batch.JobCancelled' }));
          if (options?.signal?.aborted) stop();
          options?.signal?.addEventListener('abort', stop);
        });
      }
      return quickBuild(aws, request, options);
    },
  });
  // The platform's own composition: the edge server in front of the platform app in front of the API.
  const platform = createPlatformApp(harness.app);
  edge = await createEdgeServer({
    port: 0,
    platform: (request) => platform.fetch(request),
    routeLookup: () => undefined,
    s3: harness.aws.s3,
    projectBucket: 'slipway-projects',
    router: async () => {
      throw new Error('no tenant is served in this test');
    },
  });
  apiUrl = `http://127.0.0.1:${edge.port}/api/v1`;
  await createReadyProject(harness, PROJECT);
  liveDeployment = (await deployOnce(harness, PROJECT)).id;
}, 60_000);

afterAll(async () => {
  await edge?.close();
  await harness?.close();
});

const FRAMINGS: BodyFraming[] = [
  { kind: 'none' },
  { kind: 'length-zero' },
  { kind: 'chunked', chunks: ['{"probe":', 'true}'] },
  { kind: 'chunked', chunks: [] },
];

function describeFraming(framing: BodyFraming): string {
  return framing.kind === 'chunked' ? (framing.chunks.length ? 'chunked JSON' : 'chunked empty') : framing.kind;
}

async function upload(text: string): Promise<string> {
  const archive = Buffer.from(text);
  const source = await harness.call('POST', `/projects/${PROJECT}/sources`, { bytes: archive.length });
  const put = await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  expect(put.status).toBe(200);
  return source.json.source.key as string;
}

async function startDeployment(key: string): Promise<Record<string, any>> {
  const started = await harness.call('POST', `/projects/${PROJECT}/deployments`, { source: { key } });
  expect(started.status).toBe(202);
  return started.json.deployment;
}

function cli(args: string[], token = TOKEN): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args, '--json'], {
      env: { ...process.env, SLIPWAY_API_URL: apiUrl, SLIPWAY_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

async function cliJson(args: string[], token?: string): Promise<Record<string, any>> {
  const result = await cli(args, token);
  expect(result.code, `slipway ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Record<string, any>;
}

describe('CLI verbs that send no body, through the edge', () => {
  it('tokens revoke: a user revokes their own token, which stops working', async () => {
    const { authorization } = await userWithToken(harness, 'revoker', ['user']);
    const token = authorization.slice('Bearer '.length);
    const second = await harness.call('POST', '/me/tokens', { label: 'second' }, { authorization });
    expect(second.status).toBe(201);
    expect((await cliJson(['tokens', 'revoke', second.json.record.id], token)).revoked).toBe(second.json.record.id);
    expect((await harness.call('GET', '/me', undefined, { authorization: `Bearer ${second.json.token}` })).status).toBe(401);
  });

  it('admin users revoke and admin users delete', async () => {
    const { authorization } = await userWithToken(harness, 'leaving', ['user']);
    const tokens = (await harness.call('GET', '/admin/users/leaving')).json.tokens as Array<{ id: string }>;
    expect((await cliJson(['admin', 'users', 'revoke', 'leaving', tokens[0]!.id])).revoked).toBe(tokens[0]!.id);
    expect((await harness.call('GET', '/me', undefined, { authorization })).status).toBe(401);
    expect((await cliJson(['admin', 'users', 'delete', 'leaving'])).deleted).toBe('leaving');
    expect((await harness.call('GET', '/admin/users/leaving')).status).toBe(404);
  });

  it('env unset and domains remove', async () => {
    expect((await harness.call('PUT', `/projects/${PROJECT}/env/GOING`, { value: 'x' })).status).toBeLessThan(300);
    await cliJson(['env', 'unset', 'GOING', '--project', PROJECT]);
    const variables = (await harness.call('GET', `/projects/${PROJECT}/env`)).json.variables as Array<{ key: string }>;
    expect(variables.map((v) => v.key)).not.toContain('GOING');

    expect((await harness.call('POST', `/projects/${PROJECT}/domains`, { domain: 'going.example.com' })).status).toBeLessThan(300);
    await cliJson(['domains', 'remove', 'going.example.com', '--project', PROJECT]);
    const domains = (await harness.call('GET', `/projects/${PROJECT}/domains`)).json.domains as Array<{ domain: string }>;
    expect(domains.map((d) => d.domain)).not.toContain('going.example.com');
  });

  it('cancel stops a building deployment', async () => {
    const key = await upload('held source');
    holding.add(key);
    const deployment = await startDeployment(key);
    await waitFor(
      () => harness.call('GET', `/projects/${PROJECT}/deployments/${deployment.id}`),
      (r) => r.json.deployment.status === 'BUILDING',
    );
    expect((await cliJson(['cancel', '--project', PROJECT, '--deployment', deployment.id])).deployment.status).toBe('CANCELLED');
  });

  it('admin retry starts a failed deployment again', async () => {
    const key = await upload('failing source');
    failing.add(key);
    const deployment = await startDeployment(key);
    const failed = await waitFor(
      () => harness.call('GET', `/projects/${PROJECT}/deployments/${deployment.id}`),
      (r) => r.json.deployment.status === 'FAILED',
    );
    failing.delete(key);
    const retried = await cliJson(['admin', 'retry', failed.json.deployment.executionName]);
    expect(retried.deployment).toMatchObject({ retryOf: deployment.id });
  });

  it('approve reaches its route: a deployment built with secrets has nothing to approve (409 from the route, not 500)', async () => {
    const refused = await cli(['approve', '--project', PROJECT, '--deployment', liveDeployment]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('there is nothing to approve');
  });

  it('project delete (DELETE /projects/{name} with no body) starts the deletion', async () => {
    await createReadyProject(harness, 'bodyless-gone');
    const deleted = await rawRequest(edge.port, 'DELETE', '/api/v1/projects/bodyless-gone', AUTH, { kind: 'none' });
    expect(deleted.status, deleted.text).toBe(202);
  });
});

describe('the API Lambda (AWS) with the same requests', () => {
  /** An API Gateway HTTP API (v2) event: API Gateway has already read the body; no length header rides along. */
  function apiEvent(
    method: string,
    path: string,
    body?: string,
  ): Extract<Parameters<typeof apiLambda>[0], { version: string; rawPath: string }> {
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: `/api/v1${path}`,
      rawQueryString: '',
      headers: { host: 'api.example.com', ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      requestContext: {
        accountId: '1',
        apiId: 'api',
        authentication: null,
        authorizer: {},
        domainName: 'api.example.com',
        domainPrefix: 'api',
        http: { method, path: `/api/v1${path}`, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
        requestId: 'r-1',
        routeKey: '$default',
        stage: '$default',
        time: '01/Jan/2026:00:00:00 +0000',
        timeEpoch: 0,
      },
      isBase64Encoded: false,
      body: body ?? null,
    };
  }

  it('answers a DELETE without a body and a POST whose body has no length', async () => {
    expect((await harness.call('PUT', `/projects/${PROJECT}/env/FROM_LAMBDA`, { value: 'x' })).status).toBeLessThan(300);
    const deleted = await apiLambda(apiEvent('DELETE', `/projects/${PROJECT}/env/FROM_LAMBDA`));
    expect(deleted.statusCode, deleted.body).toBe(200);
    const created = await apiLambda(apiEvent('POST', '/admin/users', '{"login":"lambda-user","roles":["user"]}'));
    expect(created.statusCode, created.body).toBe(201);
    const empty = await apiLambda(apiEvent('POST', `/projects/${PROJECT}/rollback`));
    expect(empty.statusCode, empty.body).toBe(400);
    expect(JSON.parse(empty.body).error.field).toMatch(/^body/);
  });
});

describe('every route, every body framing, through the edge', () => {
  it('answers no 5xx, and a 4xx is a JSON error', async () => {
    const document = await rawRequest(edge.port, 'GET', '/api/v1/openapi.json', AUTH, { kind: 'none' });
    expect(document.status).toBe(200);
    const paths = (JSON.parse(document.text) as { paths: Record<string, Record<string, unknown>> }).paths;
    // Path parameters name objects that exist where that is cheap, valid-looking names otherwise.
    const values: Record<string, string> = {
      name: PROJECT,
      id: liveDeployment,
      key: 'SOME_KEY',
      domain: 'bodyless.example.com',
      execution: `${PROJECT}--build-deploy--${liveDeployment}`,
      executionName: `${PROJECT}--build-deploy--${liveDeployment}`,
      subscription: 'pro',
      login: 'bodyless-nobody',
      token: 'tok0000000000000',
    };
    const routes = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
        .map((method) => ({
          method: method.toUpperCase(),
          path: `/api/v1${path.replace(/\{(\w+)\}/g, (_, param: string) => {
            const value = values[param];
            if (value === undefined) throw new Error(`no value for the path parameter {${param}} of ${path}: add one`);
            return encodeURIComponent(value);
          })}`,
        })),
    );
    // Deletions last, so the routes before them act on objects that still exist (the CLI tests above are done with them).
    routes.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    expect(routes.length).toBeGreaterThan(40);

    const failures: string[] = [];
    for (const route of routes) {
      for (const framing of FRAMINGS) {
        const headers = framing.kind === 'chunked' && framing.chunks.length ? { ...AUTH, 'content-type': 'application/json' } : AUTH;
        const answer = await rawRequest(edge.port, route.method, route.path, headers, framing);
        const label = `${route.method} ${route.path} (${describeFraming(framing)}): ${answer.status} ${answer.text.slice(0, 200)}`;
        if (answer.status >= 500) failures.push(label);
        if (answer.status >= 400 && answer.status < 500 && !(JSON.parse(answer.text) as { error?: { message?: string } }).error?.message)
          failures.push(label);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('still refuses a chunked body over the limit with 413 naming the body (API and webhooks)', async () => {
    const big = 'x'.repeat(64 * 1024);
    const api = await rawRequest(
      edge.port,
      'POST',
      '/api/v1/projects',
      { ...AUTH, 'content-type': 'application/json' },
      { kind: 'chunked', chunks: [big, big, big, big, big] },
    );
    expect(api.status).toBe(413);
    expect(JSON.parse(api.text).error).toMatchObject({ code: 'PayloadTooLarge', field: 'body' });
    const webhook = await rawRequest(
      edge.port,
      'POST',
      '/api/v1/webhooks/github',
      { 'content-type': 'application/json' },
      { kind: 'chunked', chunks: Array.from({ length: 17 }, () => big) },
    );
    expect(webhook.status).toBe(413);
    expect(JSON.parse(webhook.text).error).toMatchObject({ code: 'PayloadTooLarge', field: 'body' });
  });

  it('reads a small chunked JSON body as the JSON it is', async () => {
    const created = await rawRequest(
      edge.port,
      'POST',
      '/api/v1/admin/users',
      { ...AUTH, 'content-type': 'application/json' },
      { kind: 'chunked', chunks: ['{"login":"chunked-user",', '"roles":["user"]}'] },
    );
    expect(created.status, created.text).toBe(201);
    expect(JSON.parse(created.text).user).toMatchObject({ login: 'chunked-user', roles: ['user'] });
  });
});
