import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createReadyProject, deployOnce, startApiHarness, waitFor, type ApiHarness } from './support/api-harness.js';

/** The API against the local servers and the engine (build job and stacks stood in for). */
let harness: ApiHarness;
let app: ApiHarness['app'];

beforeAll(async () => {
  harness = await startApiHarness();
  app = harness.app;
});

afterAll(async () => {
  await harness?.close();
});

const call: ApiHarness['call'] = (...args) => harness.call(...args);

describe('identity', () => {
  it('refuses a missing or wrong token with 401 and a JSON error', async () => {
    const missing = await app.request('/api/v1/projects');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      error: { code: 'Unauthorized', message: expect.stringContaining('Authorization header is missing') },
    });
    const wrong = await call('GET', '/projects', undefined, { authorization: 'Bearer not-the-right-token-at-all' });
    expect(wrong.status).toBe(401);
  });

  it('answers health without a token', async () => {
    expect((await app.request('/api/v1/health')).status).toBe(200);
  });
});

describe('bad input', () => {
  it('names the field of an invalid project name', async () => {
    const result = await call('POST', '/projects', { name: 'Bad_Name' });
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ code: 'BadRequest', field: 'body.name' });
    expect(result.json.error.message).toContain('body.name is invalid');
  });

  it('refuses a body that is not JSON, unknown fields, and oversize bodies', async () => {
    expect((await call('POST', '/projects', '{not json')).json.error).toMatchObject({ code: 'BadRequest', field: 'body' });
    expect((await call('POST', '/projects', { name: 'okname', extra: 1 })).status).toBe(400);
    const big = await call('POST', '/projects', { name: 'x'.repeat(300_000) });
    expect(big.status).toBe(413);
    expect(big.json.error.message).toContain('262144 bytes');
  });

  it('returns 404 JSON for an unknown project or route', async () => {
    expect((await call('GET', '/projects/nosuch')).json.error).toMatchObject({
      code: 'NotFound',
      message: 'project nosuch does not exist',
    });
    expect((await call('GET', '/nothing-here')).status).toBe(404);
  });

  it('limits the declared source size', async () => {
    await createReadyProject(harness, 'sizes');
    const result = await call('POST', '/projects/sizes/sources', { bytes: 500 * 1024 * 1024 });
    expect(result.status).toBe(400);
    expect(result.json.error.message).toContain('exceeds the source archive limit of 104857600 bytes');
  });
});

describe('projects and deployments', () => {
  it('creates a project through init-project and refuses a duplicate', async () => {
    const created = await call('POST', '/projects', { name: 'apitest' });
    expect(created.status).toBe(202);
    expect(created.json.project).toMatchObject({ name: 'apitest', status: 'CREATING', owner: 'admin' });
    const ready = await waitFor(
      () => call('GET', '/projects/apitest'),
      (r) => r.json.project.status !== 'CREATING',
    );
    expect(ready.json.project.status).toBe('READY');
    const again = await call('POST', '/projects', { name: 'apitest' });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe('project apitest already exists');
  });

  it('uploads a source with a presigned URL, deploys it, and serves its log and execution', async () => {
    const archive = Buffer.from('pretend source archive');
    const source = await call('POST', '/projects/apitest/sources', { bytes: archive.length });
    expect(source.status).toBe(201);
    expect(source.json.source.key).toMatch(/^sources\/apitest\/.+\.tar\.gz$/);
    const put = await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
    expect(put.status).toBe(200);

    const started = await call('POST', '/projects/apitest/deployments', { source: { key: source.json.source.key } });
    expect(started.status).toBe(202);
    const id = started.json.deployment.id as string;
    expect(id).toMatch(/^d-[a-z0-9]+-[0-9a-f]{8}$/);
    expect(started.json.deployment.executionName).toBe(`apitest--build-deploy--${id}`);

    const live = await waitFor(
      () => call('GET', `/projects/apitest/deployments/${id}`),
      (r) => ['LIVE', 'FAILED'].includes(r.json.deployment.status),
    );
    expect(live.json.deployment).toMatchObject({ status: 'LIVE', current: true });

    const first = await call('GET', `/projects/apitest/deployments/${id}/logs`);
    expect(first.json).toMatchObject({
      text: 'slipway: installing\nslipway: building\n',
      done: true,
      cursor: `builds/${id}/log/00000001.txt`,
    });
    const after = await call('GET', `/projects/apitest/deployments/${id}/logs?cursor=${encodeURIComponent(first.json.cursor)}`);
    expect(after.json).toMatchObject({ text: '', done: true });
    const foreign = await call('GET', `/projects/apitest/deployments/${id}/logs?cursor=builds/d-other-1234/log/0.txt`);
    expect(foreign.json.error.field).toBe('query.cursor');

    const execution = await call('GET', `/projects/apitest/deployments/${id}/execution`);
    expect(execution.json.execution).toMatchObject({
      status: 'SUCCEEDED',
      input: { project: 'apitest', deploymentId: id },
      stateMachine: 'slipway-build-and-deploy',
    });
    expect(execution.json).not.toHaveProperty('history');
    const states = execution.json.execution.states as Array<{
      name: string;
      type: string;
      status: string;
      durationMs: number;
      summary?: Record<string, unknown>;
    }>;
    expect(states.map((s) => s.name)).toContain('Release');
    expect(states.every((s) => s.status === 'succeeded' && s.durationMs >= 0)).toBe(true);
    expect(states.find((s) => s.name === 'Build')).toMatchObject({ type: 'Task', summary: { jobId: expect.any(String) } });
    expect(states.find((s) => s.name === 'Validate output')?.summary?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(states.find((s) => s.name === 'Release')?.summary).toMatchObject({ live: id });
    expect(states.find((s) => s.name === 'Verify ticket')).not.toHaveProperty('summary');
    // The machine's graph to draw it on: every state the execution went through is in it.
    const graph = execution.json.stateMachine as { name: string; startAt: string; states: Array<{ name: string; next: string[] }> };
    expect(graph).toMatchObject({ name: 'slipway-build-and-deploy', startAt: 'Verify ticket' });
    expect(states.every((s) => graph.states.some((g) => g.name === s.name))).toBe(true);
    expect(graph.states.find((g) => g.name === 'Build')?.next).toEqual(['Validate output', 'Build failed']);
    expect(JSON.stringify(graph)).not.toContain('arn:');

    const list = await call('GET', '/projects/apitest/deployments');
    expect(list.json.deployments.map((d: any) => d.id)).toContain(id);
    const executions = await call('GET', '/executions?status=SUCCEEDED');
    expect(executions.json.executions.map((e: any) => e.name)).toContain(`apitest--build-deploy--${id}`);
    expect((await call('GET', '/executions?status=NOPE')).json.error.field).toBe('query.status');
  });

  it('names the execution after the commit when one is given, and refuses a malformed commit', async () => {
    const archive = Buffer.from('another source');
    const source = await call('POST', '/projects/apitest/sources', { bytes: archive.length });
    await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
    const bad = await call('POST', '/projects/apitest/deployments', { source: { key: source.json.source.key }, commit: 'not-a-sha' });
    expect(bad.json.error).toMatchObject({ code: 'BadRequest', field: 'body.commit' });
    const started = await call('POST', '/projects/apitest/deployments', {
      source: { key: source.json.source.key },
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(started.status).toBe(202);
    expect(started.json.deployment.executionName).toBe(`apitest--build-deploy--0123456--${started.json.deployment.id}`);
    await waitFor(
      () => call('GET', `/projects/apitest/deployments/${started.json.deployment.id}`),
      (r) => ['LIVE', 'FAILED'].includes(r.json.deployment.status),
    );
  });

  it('refuses a deployment of a source that was not uploaded or belongs to another project', async () => {
    const missing = await call('POST', '/projects/apitest/deployments', { source: { key: 'sources/apitest/never.tar.gz' } });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ field: 'body.source.key', message: expect.stringContaining('was not uploaded') });
    const foreign = await call('POST', '/projects/apitest/deployments', { source: { key: 'sources/other/x.tar.gz' } });
    expect(foreign.json.error.message).toContain('must be a source uploaded for project apitest');
  });
});

describe('rollback', () => {
  let first: string;
  let second: string;
  const put = (item: Record<string, unknown>) =>
    harness.aws.platform.table.send(new PutCommand({ TableName: 'slipway-platform', Item: item }));
  /** A deployment item with every field the API writes, so it reads back as a deployment record. */
  const deploymentItem = (project: string, id: string, status: string) => ({
    pk: `PROJECT#${project}`,
    sk: `DEPLOY#${id}`,
    id,
    project,
    status,
    createdAt: new Date().toISOString(),
    createdBy: 'admin',
    source: { bucket: 'slipway-sources', key: `${project}/${id}.tar.gz` },
  });

  beforeAll(async () => {
    await createReadyProject(harness, 'rbtest');
    ({ id: first } = await deployOnce(harness, 'rbtest'));
    ({ id: second } = await deployOnce(harness, 'rbtest'));
    expect((await call('GET', '/projects/rbtest')).json.project.liveDeploymentId).toBe(second);
  });

  it('starts the rollback workflow with 202 and the live deployment moves back', async () => {
    const started = await call('POST', '/projects/rbtest/rollback', { deploymentId: first });
    expect(started.status).toBe(202);
    expect(started.json.rollback).toMatchObject({
      project: 'rbtest',
      deploymentId: first,
      executionArn: expect.stringContaining(':execution:slipway-rollback:'),
    });
    const name = started.json.rollback.executionName as string;
    expect(name).toMatch(new RegExp(`^rbtest--rollback--${first}-[a-z0-9]+$`));
    expect(name.length).toBeLessThanOrEqual(80);
    const rolled = await waitFor(
      () => call('GET', '/projects/rbtest'),
      (r) => r.json.project.rolledBackTo === first || r.json.project.status === 'FAILED',
    );
    expect(rolled.json.project).toMatchObject({ status: 'READY', liveDeploymentId: first, rolledBackTo: first });
    const deployments = await call('GET', '/projects/rbtest/deployments');
    expect(deployments.json.deployments.find((d: any) => d.id === first)).toMatchObject({ current: true });
  });

  it('keeps the first release time of a deployment a rollback releases again, and lists the live one with its source', async () => {
    type Listed = { id: string; createdAt: string; createdBy: string; releasedAt: string; commit?: string };
    const deployments = (await call('GET', '/projects/rbtest/deployments')).json.deployments as Listed[];
    const [one, two] = [first, second].map((id) => deployments.find((d) => d.id === id) as Listed) as [Listed, Listed];
    // The first deployment went live before the second was even requested: its releasedAt is its own release, not the rollback.
    expect(Date.parse(one.releasedAt)).toBeGreaterThanOrEqual(Date.parse(one.createdAt));
    expect(Date.parse(one.releasedAt)).toBeLessThanOrEqual(Date.parse(two.createdAt));
    const projects = (await call('GET', '/projects')).json.projects as Array<{ name: string; live?: unknown }>;
    const listed = projects.find((p) => p.name === 'rbtest');
    expect(listed?.live).toEqual({ id: first, source: 'upload', createdBy: one.createdBy, ...(one.commit ? { commit: one.commit } : {}) });
  });

  it('answers 409 for the live deployment, one that never went live, and a project that is not READY', async () => {
    const live = await call('POST', '/projects/rbtest/rollback', { deploymentId: first });
    expect(live.status).toBe(409);
    expect(live.json.error).toMatchObject({
      code: 'Conflict',
      field: 'body.deploymentId',
      message: `deployment ${first} is already live for project rbtest`,
    });

    await put(deploymentItem('rbtest', 'd-never-0001', 'FAILED'));
    const never = await call('POST', '/projects/rbtest/rollback', { deploymentId: 'd-never-0001' });
    expect(never.status).toBe(409);
    expect(never.json.error.message).toContain('deployment d-never-0001 never went live (status FAILED)');

    await put({
      pk: 'PROJECT#rbbusy',
      sk: 'META',
      name: 'rbbusy',
      owner: 'admin',
      status: 'DELETING',
      createdAt: new Date().toISOString(),
    });
    await put(deploymentItem('rbbusy', 'd-busy-0001', 'LIVE'));
    const busy = await call('POST', '/projects/rbbusy/rollback', { deploymentId: 'd-busy-0001' });
    expect(busy.status).toBe(409);
    expect(busy.json.error).toMatchObject({
      field: 'path.name',
      message: 'project rbbusy is DELETING, not READY: it cannot be rolled back now',
    });
  });

  it('answers 404 for an unknown project or deployment', async () => {
    const project = await call('POST', '/projects/nosuch/rollback', { deploymentId: first });
    expect(project.status).toBe(404);
    expect(project.json.error.message).toBe('project nosuch does not exist');
    const deployment = await call('POST', '/projects/rbtest/rollback', { deploymentId: 'd-missing-0001' });
    expect(deployment.status).toBe(404);
    expect(deployment.json.error).toMatchObject({
      code: 'NotFound',
      field: 'body.deploymentId',
      message: 'deployment d-missing-0001 of project rbtest does not exist',
    });
  });

  it('answers 400 naming the field for a missing, malformed or extra body field', async () => {
    expect((await call('POST', '/projects/rbtest/rollback', {})).json.error).toMatchObject({
      code: 'BadRequest',
      field: 'body.deploymentId',
    });
    expect((await call('POST', '/projects/rbtest/rollback', { deploymentId: 'not an id' })).json.error).toMatchObject({
      field: 'body.deploymentId',
    });
    const extra = await call('POST', '/projects/rbtest/rollback', { deploymentId: first, force: true });
    expect(extra.status).toBe(400);
    expect((await call('POST', '/projects/rbtest/rollback', '{nope')).json.error).toMatchObject({ field: 'body' });
    expect((await call('POST', '/projects/Bad_Name/rollback', { deploymentId: first })).json.error).toMatchObject({ field: 'path.name' });
    expect((await call('POST', '/projects/rbtest/rollback', { deploymentId: first, promote: 'yes' })).json.error).toMatchObject({
      code: 'BadRequest',
      field: 'body.promote',
    });
  });

  it("refuses a preview's deployment without promote: true, and makes it production with it", async () => {
    const preview = await deployOnce(harness, 'rbtest', { preview: 'feature-x' });
    expect(preview.status).toBe('LIVE');
    const liveBefore = (await call('GET', '/projects/rbtest')).json.project.liveDeploymentId as string;
    expect(liveBefore).not.toBe(preview.id);
    for (const body of [{ deploymentId: preview.id }, { deploymentId: preview.id, promote: false }]) {
      const refused = await call('POST', '/projects/rbtest/rollback', body);
      expect(refused.status).toBe(409);
      expect(refused.json.error).toMatchObject({
        code: 'Conflict',
        field: 'body.deploymentId',
        message: `deployment ${preview.id} is a deployment of preview feature-x: send promote: true to make it live for project rbtest`,
      });
    }
    expect((await call('GET', '/projects/rbtest')).json.project.liveDeploymentId).toBe(liveBefore);

    const promoted = await call('POST', '/projects/rbtest/rollback', { deploymentId: preview.id, promote: true });
    expect(promoted.status).toBe(202);
    const rolled = await waitFor(
      () => call('GET', '/projects/rbtest'),
      (r) => r.json.project.liveDeploymentId === preview.id || r.json.project.status === 'FAILED',
    );
    expect(rolled.json.project).toMatchObject({ status: 'READY', liveDeploymentId: preview.id });
  });
});
