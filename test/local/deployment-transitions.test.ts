import { describe, expect, it } from 'vitest';
import {
  type DeploymentState,
  type DeploymentTransition,
  formatTransition,
  watchDeploymentTransitions,
} from '../../infra/local/deployment-transitions.js';
import type { ExecutionRecord } from '../../infra/local/engine/execution-store.js';

const CREATED = '2026-11-30T12:00:00.000Z';

function execution(machine: string, input: Record<string, unknown>, status: ExecutionRecord['status'] = 'RUNNING'): ExecutionRecord {
  return {
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:${machine}:run-1`,
    stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${machine}`,
    name: 'run-1',
    status,
    startDate: CREATED,
    input: JSON.stringify({ ticket: 't', ...input }),
    events: [],
  };
}

/**
 * A watch whose deployment reads answer `states` one after another (what the table holds at each
 * state the execution enters), the clock 12.3 s after the deployment was requested.
 */
function watch(states: Array<DeploymentState | undefined>) {
  const reported: DeploymentTransition[] = [];
  const reads: string[] = [];
  let settle: () => void = () => undefined;
  const idle = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const progress = watchDeploymentTransitions({
    readDeployment: async (project, id) => {
      reads.push(`${project}/${id}`);
      const state = states.shift();
      if (states.length === 0) queueMicrotask(settle);
      return state;
    },
    liveUrl: async (project) => `http://${project}.localhost:8080/`,
    report: (transition) => reported.push(transition),
    now: () => new Date(Date.parse(CREATED) + 12_300),
  });
  return { progress, reported, reads, idle };
}

describe('the platform log of deployment transitions', () => {
  it('reports each status a deployment enters once, in order, LIVE with its URL and the time since the request', async () => {
    const deployment = { project: 'hello', deploymentId: 'd-abc123' };
    const at = (status: string, extra: Partial<DeploymentState> = {}): DeploymentState => ({ status, createdAt: CREATED, ...extra });
    const url = { url: 'http://hello.localhost:8080/' };
    const { progress, reported, reads, idle } = watch([
      at('QUEUED'),
      at('BUILDING'),
      at('BUILDING'),
      at('BUILDING'),
      at('LIVE', url),
      at('LIVE', url),
      at('LIVE', url),
    ]);
    const running = execution('slipway-build-and-deploy', deployment);
    for (let i = 0; i < 6; i++) progress(running, 'slipway-build-and-deploy');
    progress({ ...running, status: 'SUCCEEDED' }, 'slipway-build-and-deploy');
    await idle;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toEqual(Array(7).fill('hello/d-abc123'));
    expect(reported.map((t) => t.status)).toEqual(['QUEUED', 'BUILDING', 'LIVE']);
    expect(reported[0]).toEqual({ at: new Date(Date.parse(CREATED) + 12_300), ...deployment, status: 'QUEUED' });
    expect(reported[2]).toMatchObject({ status: 'LIVE', url: 'http://hello.localhost:8080/', elapsedMs: 12_300 });
  });

  it('gives a failure its state and the first line of its cause, cut to 200 characters', async () => {
    const cause = `build failed: install failed (npm ci exited with code 1); ${'x'.repeat(300)}\nnpm error more`;
    const { progress, reported, idle } = watch([{ status: 'FAILED', createdAt: CREATED, failedState: 'Build', cause }]);
    progress(execution('slipway-build-and-deploy', { project: 'hello', deploymentId: 'd-1' }, 'FAILED'), 'slipway-build-and-deploy');
    await idle;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toHaveLength(1);
    expect(reported[0]?.reason).toHaveLength(200);
    expect(reported[0]?.reason).toMatch(/^Build: build failed: install failed \(npm ci exited with code 1\); x+…$/);
    expect(reported[0]?.elapsedMs).toBe(12_300);
  });

  it('reports CANCELLED once the execution a cancel stopped has ended, reading the deployment only once', async () => {
    const building = { status: 'BUILDING', createdAt: CREATED };
    const { progress, reported, reads, idle } = watch([building, building]);
    const running = execution('slipway-build-and-deploy', { project: 'hello', deploymentId: 'd-2' });
    progress(running, 'slipway-build-and-deploy');
    progress({ ...running, status: 'ABORTED', error: 'Slipway.Cancelled' }, 'slipway-build-and-deploy');
    await idle;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toHaveLength(2);
    expect(reported.map((t) => [t.status, t.elapsedMs])).toEqual([
      ['BUILDING', undefined],
      ['CANCELLED', 12_300],
    ]);
  });

  it('an execution stopped otherwise (not by a cancel) with its deployment still BUILDING is said to have ended so', async () => {
    const building = { status: 'BUILDING', createdAt: CREATED };
    const { progress, reported, idle } = watch([building, building]);
    const running = execution('slipway-build-and-deploy', { project: 'hello', deploymentId: 'd-4' });
    progress(running, 'slipway-build-and-deploy');
    progress({ ...running, status: 'ABORTED' }, 'slipway-build-and-deploy');
    await idle;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported.map((t) => [t.status, t.reason])).toEqual([
      ['BUILDING', undefined],
      ['ABORTED', 'its execution ended with the deployment still BUILDING'],
    ]);
  });

  it('says so when an execution ended and its deployment never left BUILDING', async () => {
    const building = { status: 'BUILDING', createdAt: CREATED };
    const { progress, reported, reads, idle } = watch([building, building]);
    const running = execution('slipway-build-and-deploy', { project: 'hello', deploymentId: 'd-3' });
    progress(running, 'slipway-build-and-deploy');
    progress({ ...running, status: 'FAILED' }, 'slipway-build-and-deploy');
    await idle;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toHaveLength(2);
    expect(reported.map((t) => [t.status, t.reason])).toEqual([
      ['BUILDING', undefined],
      ['FAILED', 'its execution ended with the deployment still BUILDING'],
    ]);
  });

  it('reports a rollback when it starts and when it ends, with the URL it made live; other workflows not at all', async () => {
    const { progress, reported, reads } = watch([]);
    const rollback = execution('slipway-rollback', { project: 'hello', deploymentId: 'd-old' });
    progress(rollback, 'slipway-rollback');
    progress(rollback, 'slipway-rollback');
    progress({ ...rollback, status: 'SUCCEEDED' }, 'slipway-rollback');
    progress(execution('slipway-init-project', { project: 'hello' }), 'slipway-init-project');
    progress(execution('slipway-delete-project', { project: 'hello', deploymentId: 'x' }), 'slipway-delete-project');
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toEqual([]);
    expect(reported).toEqual([
      { at: expect.any(Date), project: 'hello', deploymentId: 'd-old', status: 'ROLLING BACK' },
      {
        at: expect.any(Date),
        project: 'hello',
        deploymentId: 'd-old',
        status: 'ROLLED BACK',
        url: 'http://hello.localhost:8080/',
        elapsedMs: 12_300,
      },
    ]);
  });

  it('prints a line plain, or with the status coloured for a terminal', () => {
    const at = new Date(2026, 10, 30, 12, 1, 3);
    const live = { at, project: 'hello', deploymentId: 'd-abc123', status: 'LIVE', url: 'http://hello.localhost:8080/', elapsedMs: 12_345 };
    expect(formatTransition(live, { colour: false })).toBe('12:01:03 hello d-abc123 LIVE http://hello.localhost:8080/ (12.3 s)');
    expect(formatTransition(live, { colour: true })).toBe(
      '12:01:03 hello d-abc123 \u001b[32mLIVE\u001b[39m http://hello.localhost:8080/ (12.3 s)',
    );
    expect(formatTransition({ at, project: 'hello', deploymentId: 'd-1', status: 'BUILDING' }, { colour: false })).toBe(
      '12:01:03 hello d-1 BUILDING',
    );
    expect(
      formatTransition(
        { at, project: 'hello', deploymentId: 'd-1', status: 'FAILED', reason: 'Build: build failed', elapsedMs: 900 },
        { colour: false },
      ),
    ).toBe('12:01:03 hello d-1 FAILED Build: build failed (0.9 s)');
  });
});
