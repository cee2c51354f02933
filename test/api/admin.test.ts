import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import {
  createReadyProject,
  quickBuild,
  startApiHarness,
  TOKEN,
  waitFor,
  type ApiHarness,
  type FakeBuildJob,
} from './support/api-harness.js';
import { putDeployment } from '../../handlers/api/records.js';
import { failUnstartedDeployments } from '../../handlers/api/unstarted-deployments.js';
import { stateMachineArn } from '../../infra/local/engine/local-step-functions.js';

/**
 * Admin routes: retrying a failed deployment, and the audit log of mutating calls. The stand-in
 * build fails once for the source keys in `failOnce` (a transient build fault), then succeeds.
 */
const failOnce = new Set<string>();
/** Sources whose build runs until its execution is stopped. */
const hangOnce = new Set<string>();
const hanging = new Map<string, () => void>();
const flakyBuild: FakeBuildJob = async (aws, request, options) => {
  const key = request.environment.SLIPWAY_SOURCE_KEY as string;
  if (failOnce.delete(key)) throw Object.assign(new Error('the build container was killed (transient fault)'), { name: 'Batch.JobFailed' });
  if (hangOnce.delete(key)) {
    hanging.get(key)?.();
    await new Promise((_, reject) =>
      options?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('stopped'), { name: 'Batch.JobCancelled' }))),
    );
  }
  return quickBuild(aws, request, options);
};

let harness: ApiHarness;
const call: ApiHarness['call'] = (...args) => harness.call(...args);
const PROJECT = 'admintest';
const month = () => new Date().toISOString().slice(0, 7);

beforeAll(async () => {
  harness = await startApiHarness({ buildJob: flakyBuild });
  await createReadyProject(harness, PROJECT);
});

afterAll(async () => {
  await harness?.close();
});

async function upload(text: string): Promise<string> {
  const archive = Buffer.from(text);
  const source = await call('POST', `/projects/${PROJECT}/sources`, { bytes: archive.length });
  const put = await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  expect(put.status).toBe(200);
  return source.json.source.key as string;
}

async function settled(id: string): Promise<Record<string, any>> {
  const done = await waitFor(
    () => call('GET', `/projects/${PROJECT}/deployments/${id}`),
    (r) => ['LIVE', 'FAILED'].includes(r.json.deployment.status),
  );
  return done.json.deployment;
}

describe('retry a failed deployment', () => {
  let failed: Record<string, any>;
  let retried: Record<string, any>;

  it('starts a new build-and-deploy of the same source, which goes live', async () => {
    const key = await upload('flaky source');
    failOnce.add(key);
    const started = await call('POST', `/projects/${PROJECT}/deployments`, { source: { key }, commit: 'abcdef0123456789' });
    expect(started.status).toBe(202);
    failed = await settled(started.json.deployment.id);
    expect(failed.status).toBe('FAILED');

    const retry = await call('POST', `/admin/executions/${failed.executionName}/retry`);
    expect(retry.status).toBe(202);
    const deployment = retry.json.deployment;
    expect(deployment).toMatchObject({
      project: PROJECT,
      status: 'QUEUED',
      retryOf: failed.id,
      source: failed.source,
      commit: 'abcdef0123456789',
      createdBy: 'admin',
    });
    expect(deployment.id).not.toBe(failed.id);
    expect(deployment.executionName).toBe(`${PROJECT}--build-deploy--abcdef0--${deployment.id}`);
    expect(deployment.executionArn).toContain(':execution:slipway-build-and-deploy:');

    retried = await settled(deployment.id);
    expect(retried).toMatchObject({ status: 'LIVE', current: true, retryOf: failed.id });
    expect((await call('GET', `/projects/${PROJECT}`)).json.project.liveDeploymentId).toBe(deployment.id);
    expect((await call('GET', `/projects/${PROJECT}/deployments/${failed.id}`)).json.deployment).toMatchObject({
      status: 'FAILED',
      retriedBy: deployment.id,
    });
  });

  it('answers 409 for a deployment that is not FAILED, or was already retried', async () => {
    const live = await call('POST', `/admin/executions/${retried.executionName}/retry`);
    expect(live.status).toBe(409);
    expect(live.json.error).toMatchObject({
      code: 'Conflict',
      field: 'path.execution',
      message: expect.stringContaining(`deployment ${retried.id} is LIVE, not FAILED`),
    });
    const again = await call('POST', `/admin/executions/${failed.executionName}/retry`);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain(`was already retried as ${retried.id}`);
  });

  it('retries a deployment whose execution was ABORTED while its record still said BUILDING, recording it FAILED first', async () => {
    const key = await upload('source whose execution is aborted');
    hangOnce.add(key);
    const building = new Promise<void>((resolve) => hanging.set(key, resolve));
    const started = await call('POST', `/projects/${PROJECT}/deployments`, { source: { key } });
    expect(started.status).toBe(202);
    const id = started.json.deployment.id as string;
    await building;
    expect((await call('GET', `/projects/${PROJECT}/deployments/${id}`)).json.deployment.status).toBe('BUILDING');
    // Stopped under the API's feet (an operator's StopExecution): no failure path runs, the record stays BUILDING.
    harness.engine.stopExecution(started.json.deployment.executionArn);
    expect((await harness.engine.settled(started.json.deployment.executionArn)).status).toBe('ABORTED');
    expect((await call('GET', `/projects/${PROJECT}/deployments/${id}`)).json.deployment.status).toBe('BUILDING');

    const retry = await call('POST', `/admin/executions/${started.json.deployment.executionName}/retry`);
    expect(retry.status, JSON.stringify(retry.json)).toBe(202);
    expect((await call('GET', `/projects/${PROJECT}/deployments/${id}`)).json.deployment).toMatchObject({
      status: 'FAILED',
      error: 'States.Aborted',
      cause: 'the execution was aborted',
      retriedBy: retry.json.deployment.id,
    });
    expect(await settled(retry.json.deployment.id)).toMatchObject({ status: 'LIVE', retryOf: id });
  });

  it('retries a deployment whose execution was never started (the API died before StartExecution), recording it FAILED first', async () => {
    const key = await upload('source whose execution never started');
    const id = 'd-neverstarted-0001';
    const executionName = `${PROJECT}--build-deploy--${id}`;
    // What a crash between writing the record and StartExecution leaves: QUEUED, naming an execution that does not exist.
    await putDeployment({
      id,
      project: PROJECT,
      status: 'QUEUED',
      createdAt: new Date(Date.now() - 5 * 60_000).toISOString(),
      createdBy: 'admin',
      source: { bucket: 'slipway-sources', key },
      executionName,
      executionArn: `${stateMachineArn('slipway-build-and-deploy').replace(':stateMachine:', ':execution:')}:${executionName}`,
    });
    const retry = await call('POST', `/admin/executions/${executionName}/retry`);
    expect(retry.status, JSON.stringify(retry.json)).toBe(202);
    expect((await call('GET', `/projects/${PROJECT}/deployments/${id}`)).json.deployment).toMatchObject({
      status: 'FAILED',
      error: 'Slipway.NotStarted',
      retriedBy: retry.json.deployment.id,
    });
    expect(await settled(retry.json.deployment.id)).toMatchObject({ status: 'LIVE', retryOf: id });
  });

  it('answers 404 for an execution no deployment has, and 400 for a malformed name', async () => {
    const unknown = await call('POST', `/admin/executions/${PROJECT}--build-deploy--d-nosuch-0000/retry`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'NotFound', field: 'path.execution' });
    expect((await call('POST', '/admin/executions/nosuch--build-deploy--d-nosuch-0000/retry')).status).toBe(404);
    for (const name of [
      'not-an-execution',
      `${PROJECT}--rollback--d-x-0000`,
      `${PROJECT}--build-deploy--d-${'a'.repeat(70)}`,
      'Bad--build-deploy--d-abcd-0000',
    ]) {
      const bad = await call('POST', `/admin/executions/${name}/retry`);
      expect(bad.status, name).toBe(400);
      expect(bad.json.error).toMatchObject({ code: 'BadRequest', field: 'path.execution' });
    }
  });
});

describe('a deployment whose start a crash cut off', () => {
  it('is recorded FAILED on the next start when its execution does not exist, and only then', async () => {
    const arnOf = (name: string) => `${stateMachineArn('slipway-build-and-deploy').replace(':stateMachine:', ':execution:')}:${name}`;
    const base = {
      project: PROJECT,
      status: 'QUEUED',
      createdAt: new Date().toISOString(),
      createdBy: 'admin',
      source: { bucket: 'slipway-sources', key: 'sources/none.tar.gz' },
    };
    const cutOff = { ...base, id: 'd-cutoff-0001', executionName: `${PROJECT}--build-deploy--d-cutoff-0001` };
    await putDeployment({ ...cutOff, executionArn: arnOf(cutOff.executionName) });
    // A QUEUED record whose execution exists is in flight, whatever its age: left alone.
    const existing = harness.engine.listExecutions({ stateMachineArn: stateMachineArn('slipway-build-and-deploy') })[0];
    expect(existing).toBeDefined();
    await putDeployment({
      ...base,
      id: 'd-inflight-0001',
      executionName: existing?.name as string,
      executionArn: existing?.executionArn as string,
    });

    expect(await failUnstartedDeployments()).toEqual([`${PROJECT}/d-cutoff-0001`]);
    expect((await call('GET', `/projects/${PROJECT}/deployments/d-cutoff-0001`)).json.deployment).toMatchObject({
      status: 'FAILED',
      error: 'Slipway.NotStarted',
      failedState: 'Execution',
    });
    expect((await call('GET', `/projects/${PROJECT}/deployments/d-inflight-0001`)).json.deployment.status).toBe('QUEUED');
    expect(await failUnstartedDeployments()).toEqual([]);
  });
});

describe('audit log', () => {
  it('lists the mutating calls that succeeded, newest first, with actor and request id', async () => {
    const result = await call('GET', '/admin/audit');
    expect(result.status).toBe(200);
    expect(result.json.month).toBe(month());
    const entries = result.json.entries as Array<Record<string, any>>;
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['project.create', 'source.create', 'deployment.create', 'deployment.retry']));
    for (const entry of entries) {
      expect(entry).toMatchObject({ actor: 'admin', status: expect.any(Number), requestId: expect.any(String), at: expect.any(String) });
      expect(entry.status).toBeGreaterThanOrEqual(200);
      expect(entry.status).toBeLessThan(300);
      const days = (entry.expiresAt * 1000 - Date.parse(entry.at)) / 86_400_000;
      expect(Math.round(days)).toBe(400);
    }
    expect(entries.find((e) => e.action === 'project.create')).toMatchObject({ target: `project:${PROJECT}`, status: 202 });
    expect(entries.find((e) => e.action === 'deployment.retry')).toMatchObject({
      target: expect.stringMatching(new RegExp(`^execution:${PROJECT}--build-deploy--`)),
      status: 202,
    });
    expect(entries.filter((e) => e.action === 'deployment.create')).toEqual([
      expect.objectContaining({ target: expect.stringMatching(new RegExp(`^deployment:${PROJECT}/d-`)), status: 202 }),
      expect.objectContaining({ target: expect.stringMatching(new RegExp(`^deployment:${PROJECT}/d-`)), status: 202 }),
    ]);
    const times = entries.map((e) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    expect((await call('GET', '/admin/audit?limit=1')).json.entries).toHaveLength(1);
    expect((await call('GET', '/admin/audit?month=1999-01')).json.entries).toEqual([]);
  });

  it('writes nothing for calls that failed, for reads, or for webhook deliveries', async () => {
    const before = (await call('GET', '/admin/audit?limit=500')).json.entries.length;
    expect((await call('POST', '/projects', { name: PROJECT })).status).toBe(409);
    expect((await call('POST', '/projects', { name: 'Bad_Name' })).status).toBe(400);
    expect((await call('DELETE', '/projects/nosuch')).status).toBe(404);
    expect((await call('POST', '/admin/executions/nope/retry')).status).toBe(400);
    expect((await call('POST', '/projects', { name: 'unauthorized' }, { authorization: 'Bearer not-the-right-token-at-all' })).status).toBe(
      401,
    );
    expect((await call('GET', '/projects')).status).toBe(200);
    expect((await call('POST', '/webhooks/github', '{}', { authorization: '' })).status).toBe(401);
    expect((await call('GET', '/admin/audit?limit=500')).json.entries.length).toBe(before);
  });

  it('validates the query', async () => {
    for (const query of ['month=2026-13', 'month=26-01', 'limit=0', 'limit=501', 'limit=abc', 'limit=-1']) {
      const result = await call('GET', `/admin/audit?${query}`);
      expect(result.status, query).toBe(400);
      expect(result.json.error.field, query).toMatch(/^query\./);
    }
  });
});

describe('CLI', () => {
  /** Runs `slipway ARGS` from source against the harness's API, served over HTTP. */
  async function slipway(apiUrl: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
        env: { ...process.env, SLIPWAY_API_URL: apiUrl, SLIPWAY_TOKEN: TOKEN, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('admin retry prints the new deployment id; admin audit lists the entries', async () => {
    const server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    try {
      const key = await upload('flaky source for the CLI');
      failOnce.add(key);
      const started = await call('POST', `/projects/${PROJECT}/deployments`, { source: { key } });
      const failed = await settled(started.json.deployment.id);
      expect(failed.status).toBe('FAILED');

      const retry = await slipway(apiUrl, 'admin', 'retry', failed.executionName);
      expect(retry, retry.stderr).toMatchObject({ code: 0 });
      const id = retry.stdout.trim();
      expect(id).toMatch(/^d-[a-z0-9]+-[0-9a-f]{8}$/);
      expect(await settled(id)).toMatchObject({ status: 'LIVE', retryOf: failed.id });
      const again = await slipway(apiUrl, 'admin', 'retry', failed.executionName);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`was already retried as ${id} (Conflict)`);

      const audit = await slipway(apiUrl, 'admin', 'audit', '--json');
      expect(audit.code).toBe(0);
      const entries = JSON.parse(audit.stdout).entries as Array<Record<string, any>>;
      expect(entries[0]).toMatchObject({ action: 'deployment.retry', actor: 'admin', target: `execution:${failed.executionName}` });
      const text = await slipway(apiUrl, 'admin', 'audit', '--month', month());
      expect(text.stdout.split('\n')[0]).toMatch(/ admin +deployment\.retry +202 +execution:/);
      expect((await slipway(apiUrl, 'admin', 'audit', '--month', '2026-13')).code).toBe(2);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});

describe('POST /admin/template-rollout', () => {
  it('starts slipway-template-rollout, which finds every stack current (init made it from the current template), and is audited', async () => {
    const started = await call('POST', '/admin/template-rollout');
    expect(started.status).toBe(202);
    const { name, executionArn } = started.json.execution as { name: string; executionArn: string };
    expect(name).toMatch(/^template-rollout-[a-z0-9]+-[0-9a-f]{8}$/);
    expect(executionArn).toBe(`${stateMachineArn('slipway-template-rollout').replace(':stateMachine:', ':execution:')}:${name}`);
    const record = await harness.engine.settled(executionArn);
    expect(record.status, record.cause).toBe('SUCCEEDED');
    const report = JSON.parse(record.output ?? 'null') as { upgraded: string[]; skipped: string[]; failed: unknown[] };
    expect(report.upgraded).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(report.skipped).toContain(PROJECT);
    // Operators see it with the pipeline's executions.
    const listed = await call('GET', '/executions');
    expect(listed.json.executions.map((e: { name: string }) => e.name)).toContain(name);
    const audit = await call('GET', `/admin/audit?month=${month()}`);
    expect(audit.json.entries[0]).toMatchObject({ action: 'template.rollout', target: 'platform:template' });
  });
});

describe('GET /executions: filters and pages', () => {
  type Listed = { name: string; workflow: string; status: string; startDate: string; project?: string; deploymentId?: string };
  async function everyPage(query: string, limit: number): Promise<Listed[]> {
    const all: Listed[] = [];
    let token: string | undefined;
    do {
      const page = await call('GET', `/executions?${query}&limit=${limit}${token ? `&nextToken=${token}` : ''}`);
      expect(page.status, JSON.stringify(page.json)).toBe(200);
      expect(page.json.executions.length).toBeLessThanOrEqual(limit);
      all.push(...page.json.executions);
      token = page.json.nextToken;
    } while (token);
    return all;
  }

  it('pages through every workflow newest first, a page at a time, the same as one long page', async () => {
    const whole = (await call('GET', '/executions?limit=100')).json as { executions: Listed[]; nextToken?: string };
    expect(whole.nextToken).toBeUndefined();
    expect(new Set(whole.executions.map((e) => e.workflow))).toEqual(new Set(['init-project', 'build-deploy', 'template-rollout']));
    const starts = whole.executions.map((e) => e.startDate);
    expect(starts).toEqual([...starts].sort().reverse());
    const paged = await everyPage('', 2);
    expect(paged.map((e) => e.name)).toEqual(whole.executions.map((e) => e.name));
    // Names, status and dates only: nothing of the execution's input or output.
    for (const execution of whole.executions) {
      for (const key of Object.keys(execution)) {
        expect([
          'executionArn',
          'stateMachineArn',
          'workflow',
          'name',
          'status',
          'startDate',
          'stopDate',
          'project',
          'deploymentId',
        ]).toContain(key);
      }
    }
  });

  it('filters by workflow and status, and names the project and deployment of a build-and-deploy', async () => {
    const failed = await everyPage('workflow=build-deploy&status=FAILED', 1);
    expect(failed.length).toBeGreaterThan(0);
    for (const execution of failed) {
      expect(execution).toMatchObject({
        workflow: 'build-deploy',
        status: 'FAILED',
        project: PROJECT,
        deploymentId: expect.stringMatching(/^d-/),
      });
      expect(execution.name.endsWith(execution.deploymentId as string)).toBe(true);
    }
    const deployment = await call('GET', `/projects/${PROJECT}/deployments/${failed[0]?.deploymentId}`);
    expect(deployment.json.deployment.executionName).toBe(failed[0]?.name);
    const builds = await everyPage('workflow=build-deploy', 100);
    expect(builds.filter((e) => e.status === 'FAILED').map((e) => e.name)).toEqual(failed.map((e) => e.name));
    const init = await everyPage('workflow=init-project', 100);
    expect(init.map((e) => [e.workflow, e.project, e.deploymentId])).toEqual([['init-project', PROJECT, undefined]]);
    const rollouts = await everyPage('workflow=template-rollout', 100);
    expect(rollouts.map((e) => [e.workflow, e.project])).toEqual([['template-rollout', undefined]]);
  });

  it('refuses an unknown workflow, a bad limit, and a page token that is malformed or made for other filters', async () => {
    expect((await call('GET', '/executions?workflow=nope')).json.error.field).toBe('query.workflow');
    for (const limit of ['0', '101', 'x']) expect((await call('GET', `/executions?limit=${limit}`)).json.error.field).toBe('query.limit');
    const first = await call('GET', '/executions?workflow=build-deploy&limit=1');
    const token = first.json.nextToken as string;
    expect(token).toEqual(expect.any(String));
    const other = await call('GET', `/executions?workflow=init-project&limit=1&nextToken=${token}`);
    expect(other.status).toBe(400);
    expect(other.json.error).toMatchObject({ field: 'query.nextToken', message: expect.stringContaining('other filters') });
    // A Step Functions page token it no longer takes (on AWS they expire after a day).
    const stale = Buffer.from(
      JSON.stringify({ status: null, workflow: null, machines: [['build-deploy', Buffer.from('arn:nosuch').toString('base64url'), 0]] }),
    ).toString('base64url');
    const expired = await call('GET', `/executions?nextToken=${stale}`);
    expect(expired.status).toBe(400);
    expect(expired.json.error).toMatchObject({ field: 'query.nextToken', message: expect.stringContaining('has expired') });
    for (const bad of ['not-a-token', Buffer.from('{"status":null}').toString('base64url')]) {
      const refused = await call('GET', `/executions?nextToken=${bad}`);
      expect(refused.status).toBe(400);
      expect(refused.json.error.field).toBe('query.nextToken');
    }
  });

  it('the audit log pages with nextToken through the month, the same as one long page', async () => {
    const whole = (await call('GET', '/admin/audit?limit=500')).json.entries as Array<{ requestId: string }>;
    expect(whole.length).toBeGreaterThan(3);
    const paged: Array<{ requestId: string }> = [];
    let token: string | undefined;
    do {
      const page = await call('GET', `/admin/audit?limit=2${token ? `&nextToken=${token}` : ''}`);
      expect(page.status).toBe(200);
      paged.push(...page.json.entries);
      token = page.json.nextToken;
    } while (token);
    expect(paged.map((e) => e.requestId)).toEqual(whole.map((e) => e.requestId));
    const first = await call('GET', '/admin/audit?limit=1');
    const elsewhere = await call('GET', `/admin/audit?month=1999-01&nextToken=${first.json.nextToken}`);
    expect(elsewhere.json.error.field).toBe('query.nextToken');
    expect((await call('GET', '/admin/audit?nextToken=garbage')).json.error.field).toBe('query.nextToken');
  });
});

describe('audit of subscription changes', () => {
  it('names editing a subscription and assigning one to a user', async () => {
    const free = (await call('GET', '/admin/subscriptions')).json.subscriptions.find((s: { name: string }) => s.name === 'free');
    expect((await call('PUT', '/admin/subscriptions/audited', { limits: free.limits })).status).toBe(200);
    expect((await call('POST', '/admin/users', { login: 'subscriber' })).status).toBe(201);
    expect((await call('PUT', '/admin/users/subscriber/subscription', { subscription: 'audited' })).status).toBe(200);
    const entries = (await call('GET', '/admin/audit?limit=3')).json.entries as Array<{ action: string; target: string }>;
    expect(entries.map((e) => [e.action, e.target])).toEqual([
      ['user.subscription', 'user:subscriber=audited'],
      ['user.create', 'user:subscriber'],
      ['subscription.put', 'subscription:audited'],
    ]);
  });
});
