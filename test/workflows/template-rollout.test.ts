import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localCloudFormation } from '../../infra/local/cloudformation.js';
import { LocalStepFunctions, stateMachineArn } from '../../infra/local/engine/local-step-functions.js';
import type { LocalServices } from '../../infra/local/engine/task-bindings.js';
import { TEMPLATE_VERSION_TAG } from '../../infra/aws/projects/project-stack.js';
import type { RolloutReport } from '../../handlers/pipeline/template-rollout.js';
import { giveStackTurn, takeStackTurn } from '../../handlers/lib/table/stack-turn.js';
import { ROLLOUT_CONCURRENCY } from '../../workflows/template-rollout.js';
import { startRolloutIfBehind } from '../../infra/local/template-rollout-start.js';
import { synthesizedOnce } from '../support/synthesized-once.js';
import { startTestAws, type TestAws } from '../support/local-aws.js';

/**
 * The synthesized slipway-template-rollout state machine, run by the local engine (its Map state
 * and the tasks of its iterations) over projects whose stacks the local CloudFormation stand-in
 * holds at an earlier template version: every stack is upgraded with its parameters as they were,
 * the one whose update fails is reported, and a second run has nothing left to do.
 */

/** Projects whose function refuses its configuration: their stack update rolls back. */
const refuseConfigure = new Set<string>();
let updating = 0;
let mostUpdatingAtOnce = 0;

const host = {
  prepare: async () => undefined,
  configure(project: string) {
    if (refuseConfigure.has(project)) throw new Error('function configuration refused');
  },
  // Each stack update starts its deployment's worker: counted here to see how many run at once.
  async warm() {
    updating += 1;
    mostUpdatingAtOnce = Math.max(mostUpdatingAtOnce, updating);
    await new Promise((resolve) => setTimeout(resolve, 5));
    updating -= 1;
  },
  remove: async () => undefined,
};

let aws: TestAws;
let engine: LocalStepFunctions;
let doc: DynamoDBDocumentClient;
let stateDir: string;
const cloudformation = localCloudFormation(host);
const updateCalls: string[] = [];

const services: LocalServices = {
  runBuildJob: () => Promise.reject(new Error('the rollout builds nothing')),
  async cloudformation(action, parameters) {
    if (action === 'updateStack') updateCalls.push(String(parameters.StackName));
    return cloudformation(action, parameters);
  },
  assumeRole: () => Promise.reject(new Error('the rollout assumes no role')),
  platform: () => aws.platform,
};

type Described = {
  StackStatus: string;
  Parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  Outputs: Array<{ OutputKey: string; OutputValue: string }>;
  Tags: Array<{ Key: string; Value: string }>;
};

async function describe_(project: string): Promise<Described> {
  const answer = (await cloudformation('describeStacks', { StackName: `slipway-project-${project}` })) as { Stacks: Described[] };
  return answer.Stacks[0] as Described;
}

const EARLIER = 'earlier0000000000';

async function project(name: string, stack: 'earlier' | 'none'): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: 'slipway-platform',
      Item: { pk: `PROJECT#${name}`, sk: 'META', entity: 'project', name, owner: 'u-1', status: 'LIVE', createdAt: '2026-01-01T00:00:00Z' },
    }),
  );
  if (stack === 'none') return;
  await cloudformation('createStack', {
    StackName: `slipway-project-${name}`,
    TemplateURL: 'https://s3.us-east-1.amazonaws.com/earlier/0000.json',
    Tags: [{ Key: TEMPLATE_VERSION_TAG, Value: EARLIER }],
    Parameters: [
      { ParameterKey: 'Project', ParameterValue: name },
      { ParameterKey: 'DeploymentId', ParameterValue: 'none' },
    ],
  });
  // Live on a deployment, with its subscription's limits: what the upgrade must leave as it is.
  await cloudformation('updateStack', {
    StackName: `slipway-project-${name}`,
    UsePreviousTemplate: true,
    Parameters: [
      { ParameterKey: 'Project', UsePreviousValue: true },
      { ParameterKey: 'DeploymentId', ParameterValue: `d-${name}-0001` },
      { ParameterKey: 'MemorySize', ParameterValue: '512' },
      { ParameterKey: 'FunctionTimeout', ParameterValue: '20' },
    ],
  });
}

let runs = 0;
function startRollout(): string {
  return engine.startExecution(stateMachineArn('slipway-template-rollout'), `template-rollout-test-${++runs}`, '{}').executionArn;
}

async function rollout(arn = startRollout()): Promise<{ status: string; report: RolloutReport; cause?: string }> {
  const record = await engine.settled(arn);
  return {
    status: record.status,
    report: JSON.parse(record.output ?? 'null') as RolloutReport,
    ...(record.cause ? { cause: record.cause } : {}),
  };
}

const UPGRADED = ['amber', 'birch', 'cedar', 'dunes', 'elder'];

beforeAll(async () => {
  aws = await startTestAws();
  stateDir = mkdtempSync(join(tmpdir(), 'slipway-template-rollout-'));
  engine = await LocalStepFunctions.create(await synthesizedOnce(), services, stateDir, { waitMs: 1 });
  doc = aws.platform.table;
  for (const name of [...UPGRADED, 'broken']) await project(name, 'earlier');
  await project('stackless', 'none');
  refuseConfigure.add('broken');
});

afterAll(async () => {
  await engine?.close();
  await aws?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('slipway-template-rollout on the local engine', () => {
  it('upgrades every stack behind to the current template with its parameters unchanged, a few at a time, and reports the one that failed', async () => {
    const before = new Map<string, Described>();
    for (const name of [...UPGRADED, 'broken']) before.set(name, await describe_(name));

    const { status, report, cause } = await rollout();
    expect(status, cause).toBe('SUCCEEDED');
    expect(report.templateVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(report.upgraded.sort()).toEqual(UPGRADED);
    expect(report.skipped).toEqual(['stackless']);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]).toMatchObject({ project: 'broken', state: 'Project stack update', error: 'CloudFormation.StackFailed' });
    expect(report.failed[0]?.cause).toMatch(/UPDATE_ROLLBACK_COMPLETE: The following resource\(s\) failed to update: \[Function\]/);

    for (const name of UPGRADED) {
      const after = await describe_(name);
      expect(after.StackStatus).toBe('UPDATE_COMPLETE');
      expect(after.Tags).toEqual([{ Key: TEMPLATE_VERSION_TAG, Value: report.templateVersion }]);
      // Nothing the tenant serves changed: the same deployment, limits and published version.
      expect(after.Parameters).toEqual(before.get(name)?.Parameters);
      expect(after.Outputs).toEqual(before.get(name)?.Outputs);
      // Every turn was given back: the next deploy of the project does not wait.
      const item = await doc.send(new GetCommand({ TableName: 'slipway-platform', Key: { pk: `PROJECT#${name}`, sk: 'META' } }));
      expect(item.Item?.stackTurn).toBeUndefined();
    }
    // The failed stack rolled back to what it had, still at the earlier version.
    const broken = await describe_('broken');
    expect(broken.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(broken.Tags).toEqual([{ Key: TEMPLATE_VERSION_TAG, Value: EARLIER }]);
    expect(broken.Parameters).toEqual(before.get('broken')?.Parameters);
    expect(mostUpdatingAtOnce).toBeGreaterThan(0);
    expect(mostUpdatingAtOnce).toBeLessThanOrEqual(ROLLOUT_CONCURRENCY);
  });

  it('a second run upgrades only what is still behind, and a third finds nothing to update', async () => {
    refuseConfigure.delete('broken');
    updateCalls.length = 0;
    const second = await rollout();
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(second.report.upgraded).toEqual(['broken']);
    expect(second.report.skipped.sort()).toEqual([...UPGRADED, 'stackless']);
    expect(updateCalls).toEqual(['slipway-project-broken']);

    updateCalls.length = 0;
    const third = await rollout();
    expect(third.report).toEqual({
      templateVersion: second.report.templateVersion,
      upgraded: [],
      skipped: [...UPGRADED, 'broken', 'stackless'].sort(),
      failed: [],
    });
    expect(updateCalls).toEqual([]);
  });

  it('waits for the stack turn a deploy holds, then upgrades the stack', async () => {
    await project('queued', 'earlier');
    const now = new Date();
    expect(await takeStackTurn('queued', 'queued--build-deploy--d-queued-0002', now, 600)).toBe(true);
    const arn = startRollout();
    const entered = () =>
      engine
        .describeExecution(arn)
        .events.some((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name === 'Wait for project stack turn');
    while (!entered()) await new Promise((resolve) => setTimeout(resolve, 5));
    // The deploy still holds the turn: the stack has not been touched.
    expect((await describe_('queued')).Tags).toEqual([{ Key: TEMPLATE_VERSION_TAG, Value: EARLIER }]);
    await giveStackTurn('queued', 'queued--build-deploy--d-queued-0002');
    const { status, report } = await rollout(arn);
    expect(status).toBe('SUCCEEDED');
    expect(report.upgraded).toEqual(['queued']);
    expect((await describe_('queued')).Tags).toEqual([{ Key: TEMPLATE_VERSION_TAG, Value: report.templateVersion }]);
  });

  it('slipway up starts the rollout when a stored stack is behind the current template, and starts nothing when none is', async () => {
    const version = (await synthesizedOnce()).projectStackTemplateVersion as string;
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    await project('later', 'earlier');
    const started = await startRolloutIfBehind(engine, cloudformation, version);
    // Every other stack was upgraded by the runs above: only this one is behind.
    expect(started?.behind).toEqual(['slipway-project-later']);
    const { status, report } = await rollout(started?.executionArn);
    expect(status).toBe('SUCCEEDED');
    expect(report.templateVersion).toBe(version);
    expect(report.upgraded).toEqual(['later']);
    expect(await startRolloutIfBehind(engine, cloudformation, version)).toBeUndefined();
    // While a rollout runs (one the last run left, redriven on start), a start adds no second one.
    await project('waiting', 'earlier');
    const running = { listExecutions: () => [{ status: 'RUNNING' }] as never, startExecution: engine.startExecution.bind(engine) };
    expect(await startRolloutIfBehind(running, cloudformation, version)).toBeUndefined();
    expect((await startRolloutIfBehind(engine, cloudformation, version))?.behind).toEqual(['slipway-project-waiting']);
  });
});
