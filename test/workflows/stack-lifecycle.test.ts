import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { localCloudFormation, NO_UPDATES_MESSAGE } from '../../infra/local/cloudformation.js';
import { LocalStepFunctions, stateMachineArn } from '../../infra/local/engine/local-step-functions.js';
import type { LocalServices } from '../../infra/local/engine/task-bindings.js';
import { STACK_POLL_LIMIT } from '../../workflows/steps.js';
import { TEMPLATE_VERSION_TAG } from '../../infra/aws/projects/project-stack.js';
import { synthesizedOnce } from '../support/synthesized-once.js';
import { putObject, startTestAws, ticketFor, type TestAws } from '../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';

/**
 * The project stack's lifecycle — creation, re-creation after a failed one, deletion, updates one
 * at a time, "No updates are to be performed." — run by the local engine on the synthesized state
 * machines against the local CloudFormation stand-in (infra/local/cloudformation.ts), which answers
 * as CloudFormation does. Its function host is a recording one whose resources can be made to fail.
 */

/** Projects whose function configuration fails (the stack's creation rolls back) / whose removal fails. */
const refuseConfigure = new Set<string>();
const refuseRemove = new Set<string>();
/** A deployment's worker start waits for its gate, so a test can hold a stack update in progress. */
const warmGates = new Map<string, Promise<void>>();
const buildGates = new Map<string, Promise<void>>();
const warmed: string[] = [];
let warming = 0;
let mostWarmingAtOnce = 0;

const host = {
  prepare: async () => undefined,
  configure(project: string) {
    if (refuseConfigure.has(project)) throw new Error('function configuration refused');
  },
  async warm(project: string, deploymentId: string) {
    warming += 1;
    mostWarmingAtOnce = Math.max(mostWarmingAtOnce, warming);
    try {
      await warmGates.get(deploymentId);
      warmed.push(`${project}:${deploymentId}`);
    } finally {
      warming -= 1;
    }
  },
  async remove(project: string) {
    if (refuseRemove.has(project)) throw new Error('log group could not be deleted');
  },
};

let aws: TestAws;
let engine: LocalStepFunctions;
let doc: DynamoDBDocumentClient;
let routes: FileRouteCache;
let stateDir: string;
const cloudformation = localCloudFormation(host);
const stackCalls: Array<{ action: string; stackName: string }> = [];
/** Makes DescribeStacks report this status for every stack (a stack stuck in progress). */
let describedStatus: string | undefined;

const services: LocalServices = {
  async runBuildJob(request) {
    const id = request.environment.SLIPWAY_BUILD_ID as string;
    await buildGates.get(id);
    await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(validBundleEntries()));
    return { jobId: `job-${id}`, status: 'SUCCEEDED' };
  },
  async cloudformation(action, parameters) {
    stackCalls.push({ action, stackName: String(parameters.StackName) });
    const answer = (await cloudformation(action, parameters)) as { Stacks?: Array<Record<string, unknown>> };
    if (action === 'describeStacks' && describedStatus)
      return { Stacks: answer.Stacks?.map((s) => ({ ...s, StackStatus: describedStatus })) };
    return answer;
  },
  assumeRole: async (parameters) => aws.storage.issuer.assumeRole(parameters),
  platform: () => aws.platform,
};

beforeAll(async () => {
  aws = await startTestAws();
  stateDir = mkdtempSync(join(tmpdir(), 'slipway-stack-lifecycle-'));
  // Every poll of a settling stack is a Wait: 1 ms here, so the bounded wait runs out in a second.
  engine = await LocalStepFunctions.create(await synthesizedOnce(), services, stateDir, { waitMs: 1 });
  doc = aws.platform.table;
  routes = new FileRouteCache(aws.routeCacheDir);
});

afterAll(async () => {
  await engine?.close();
  await aws?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

async function item(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  return (await doc.send(new GetCommand({ TableName: 'slipway-platform', Key: { pk, sk }, ConsistentRead: true }))).Item;
}

function start(machine: string, name: string, input: Record<string, unknown>): string {
  return engine.startExecution(stateMachineArn(machine), name, JSON.stringify(input)).executionArn;
}

function statesEntered(record: { events: Array<{ type: string; stateEnteredEventDetails?: { name: string } }> }): string[] {
  return record.events.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails?.name as string);
}

let runs = 0;
async function initProject(project: string) {
  const name = `${project}--init-project--${++runs}`;
  await doc
    .send(
      new PutCommand({
        TableName: 'slipway-platform',
        Item: { pk: `PROJECT#${project}`, sk: 'META', name: project, status: 'CREATING' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    .catch(() => undefined);
  return engine.settled(start('slipway-init-project', name, { ticket: await ticketFor('init-project', project, name), project }));
}

async function deleteProject(project: string) {
  const name = `${project}--delete-project--${++runs}`;
  return engine.settled(start('slipway-delete-project', name, { ticket: await ticketFor('delete-project', project, name), project }));
}

async function startDeploy(project: string, deploymentId: string, preview?: string): Promise<string> {
  const name = `${project}--build-deploy--${deploymentId}`;
  await doc.send(
    new PutCommand({
      TableName: 'slipway-platform',
      Item: { pk: `PROJECT#${project}`, sk: `DEPLOY#${deploymentId}`, id: deploymentId, status: 'QUEUED', ...(preview ? { preview } : {}) },
    }),
  );
  return start('slipway-build-and-deploy', name, {
    ticket: await ticketFor('build-deploy', project, name, { preview, deploymentId }),
    project,
    deploymentId,
    source: { bucket: 'slipway-sources', key: `sources/${project}/x.tar.gz` },
    ...(preview ? { preview } : {}),
  });
}

async function rollback(project: string, deploymentId: string) {
  const name = `${project}--rollback--${deploymentId}-${++runs}`;
  return engine.settled(
    start('slipway-rollback', name, { ticket: await ticketFor('rollback', project, name, { deploymentId }), project, deploymentId }),
  );
}

const describeStack = (name: string) =>
  cloudformation('describeStacks', { StackName: name }) as Promise<{
    Stacks: Array<{ StackId: string; StackStatus: string; StackStatusReason?: string }>;
  }>;

describe('the local CloudFormation stand-in answers as CloudFormation does', () => {
  it('status names, AlreadyExistsException, the missing-stack and cannot-be-updated ValidationErrors, and "No updates are to be performed."', async () => {
    const stacks = localCloudFormation(host);
    const name = 'slipway-project-standin';
    const error = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (e: Error) => ({ name: e.name, message: e.message }),
      );
    expect(await error(stacks('describeStacks', { StackName: name }))).toEqual({
      name: 'CloudFormation.ValidationError',
      message: `Stack with id ${name} does not exist`,
    });
    const params = [
      { ParameterKey: 'Project', ParameterValue: 'standin' },
      { ParameterKey: 'DeploymentId', ParameterValue: 'none' },
    ];
    const { StackId } = (await stacks('createStack', { StackName: name, Parameters: params })) as { StackId: string };
    expect(await error(stacks('createStack', { StackName: name, Parameters: params }))).toEqual({
      name: 'CloudFormation.AlreadyExistsException',
      message: `Stack [${name}] already exists`,
    });
    const update = (deploymentId: string) =>
      stacks('updateStack', {
        StackName: name,
        UsePreviousTemplate: true,
        Parameters: [
          { ParameterKey: 'Project', UsePreviousValue: true },
          { ParameterKey: 'DeploymentId', ParameterValue: deploymentId },
        ],
      });
    await update('d-standin-0001');
    expect(await error(update('d-standin-0001'))).toEqual({ name: 'CloudFormation.ValidationError', message: NO_UPDATES_MESSAGE });
    expect(NO_UPDATES_MESSAGE).toBe('No updates are to be performed.');
    // While an update runs, the stack is UPDATE_IN_PROGRESS and refuses another.
    let open = () => {};
    warmGates.set('d-standin-0002', new Promise<void>((resolve) => (open = resolve)));
    const running = update('d-standin-0002');
    expect((await describeWith(stacks, name)).StackStatus).toBe('UPDATE_IN_PROGRESS');
    expect(await error(update('d-standin-0003'))).toEqual({
      name: 'CloudFormation.ValidationError',
      message: `Stack:${StackId} is in UPDATE_IN_PROGRESS state and can not be updated.`,
    });
    open();
    await running;
    expect(await describeWith(stacks, name)).toMatchObject({
      StackStatus: 'UPDATE_COMPLETE',
      Outputs: [{ OutputKey: 'DeploymentVersion', OutputValue: 'd-standin-0002' }],
    });
    // Deleted: by name it does not exist, by id it is DELETE_COMPLETE; deleting again succeeds.
    await stacks('deleteStack', { StackName: name });
    expect((await error(stacks('describeStacks', { StackName: name })))?.message).toBe(`Stack with id ${name} does not exist`);
    expect((await describeWith(stacks, StackId)).StackStatus).toBe('DELETE_COMPLETE');
    expect(await stacks('deleteStack', { StackName: name })).toEqual({});
    // A creation whose resource fails rolls back to ROLLBACK_COMPLETE, which no update may change.
    refuseConfigure.add('standin');
    try {
      const limits = [...params, { ParameterKey: 'MemorySize', ParameterValue: '512' }];
      const again = (await stacks('createStack', { StackName: name, Parameters: limits })) as { StackId: string };
      expect(again.StackId).not.toBe(StackId);
      expect(await describeWith(stacks, name)).toMatchObject({
        StackStatus: 'ROLLBACK_COMPLETE',
        StackStatusReason: expect.stringContaining('function configuration refused'),
      });
      expect((await error(update('d-standin-0004')))?.message).toBe(
        `Stack:${again.StackId} is in ROLLBACK_COMPLETE state and can not be updated.`,
      );
    } finally {
      refuseConfigure.delete('standin');
    }
  });
});

async function describeWith(stacks: LocalServices['cloudformation'], name: string) {
  return ((await stacks('describeStacks', { StackName: name })) as { Stacks: Array<Record<string, unknown>> }).Stacks[0] as Record<
    string,
    unknown
  >;
}

describe('delete-project', () => {
  it('deletes the stack, waits for DELETE_COMPLETE, then deletes the project data', async () => {
    expect((await initProject('del-ok')).status).toBe('SUCCEEDED');
    const record = await deleteProject('del-ok');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    const states = statesEntered(record);
    expect(states.slice(states.indexOf('Find project stack'))).toEqual([
      'Find project stack',
      'Delete project stack',
      'Start Project stack deletion polls',
      'Check Project stack deletion',
      'Project stack deletion settled?',
      'Project stack deletion complete',
      'Delete project data',
      'Deleted',
    ]);
    // Polled by its id: by name a deleted stack describes nothing.
    expect(stackCalls.filter((c) => c.action === 'describeStacks').at(-1)?.stackName).toMatch(
      /^arn:aws:cloudformation:.*:stack\/slipway-project-del-ok\//,
    );
    await expect(describeStack('slipway-project-del-ok')).rejects.toThrow('does not exist');
    expect(await item('PROJECT#del-ok', 'META')).toBeUndefined();
  });

  it('fails naming CloudFormation’s reason when the deletion fails, keeps the data, and deleting again finishes it', async () => {
    expect((await initProject('del-bad')).status).toBe('SUCCEEDED');
    refuseRemove.add('del-bad');
    try {
      const record = await deleteProject('del-bad');
      expect(record.status).toBe('FAILED');
      expect(statesEntered(record)).not.toContain('Delete project data');
      expect(await item('PROJECT#del-bad', 'META')).toMatchObject({
        status: 'FAILED',
        failedState: 'Project stack deletion',
        error: 'CloudFormation.StackFailed',
        cause:
          'the project stack ended in DELETE_FAILED: The following resource(s) failed to delete: [Function]. log group could not be deleted',
      });
      expect((await describeStack('slipway-project-del-bad')).Stacks[0]?.StackStatus).toBe('DELETE_FAILED');
    } finally {
      refuseRemove.delete('del-bad');
    }
    const again = await deleteProject('del-bad');
    expect(again.status, again.cause).toBe('SUCCEEDED');
    expect(await item('PROJECT#del-bad', 'META')).toBeUndefined();
  });

  it('goes straight to the data of a project that has no stack', async () => {
    await doc.send(
      new PutCommand({ TableName: 'slipway-platform', Item: { pk: 'PROJECT#del-none', sk: 'META', name: 'del-none', status: 'FAILED' } }),
    );
    const record = await deleteProject('del-none');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(statesEntered(record)).toEqual(expect.arrayContaining(['Find project stack', 'Project stack exists?', 'Delete project data']));
    expect(statesEntered(record)).not.toContain('Delete project stack');
    expect(await item('PROJECT#del-none', 'META')).toBeUndefined();
  });
});

describe('init-project', () => {
  it('re-init deletes a stack a failed creation left in ROLLBACK_COMPLETE, then creates it again', async () => {
    refuseConfigure.add('reinit');
    try {
      const failed = await initProject('reinit');
      expect(failed.status).toBe('FAILED');
      expect(await item('PROJECT#reinit', 'META')).toMatchObject({
        status: 'FAILED',
        failedState: 'Project stack creation',
        cause: expect.stringMatching(/^the project stack ended in ROLLBACK_COMPLETE: The following resource\(s\) failed to create/),
      });
    } finally {
      refuseConfigure.delete('reinit');
    }
    const rolledBack = (await describeStack('slipway-project-reinit')).Stacks[0];
    expect(rolledBack?.StackStatus).toBe('ROLLBACK_COMPLETE');

    const record = await initProject('reinit');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    const states = statesEntered(record);
    expect(states.slice(states.indexOf('Find project stack'), states.indexOf('Create project stack') + 1)).toEqual([
      'Find project stack',
      'Project stack usable?',
      'Delete rolled-back project stack',
      'Start Rolled-back stack deletion polls',
      'Check Rolled-back stack deletion',
      'Rolled-back stack deletion settled?',
      'Rolled-back stack deletion complete',
      'Create project stack',
    ]);
    const created = (await describeStack('slipway-project-reinit')).Stacks[0];
    expect(created?.StackStatus).toBe('CREATE_COMPLETE');
    expect(created?.StackId).not.toBe(rolledBack?.StackId);
    expect(await item('PROJECT#reinit', 'META')).toMatchObject({ status: 'READY' });
  });

  it('re-init keeps a stack that works (no second creation)', async () => {
    const creations = () => stackCalls.filter((c) => c.action === 'createStack' && c.stackName === 'slipway-project-reinit').length;
    const before = creations();
    const record = await initProject('reinit');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(statesEntered(record)).toEqual(expect.arrayContaining(['Project stack usable?', 'Record ready']));
    expect(creations()).toBe(before);
  });
});

describe('stack updates', () => {
  it('"No updates are to be performed." is success: a rollback to the newest preview, which the stack already runs', async () => {
    expect((await initProject('same')).status).toBe('SUCCEEDED');
    expect((await engine.settled(await startDeploy('same', 'd-same-0001'))).status).toBe('SUCCEEDED');
    expect((await engine.settled(await startDeploy('same', 'd-same-0002', 'feat'))).status).toBe('SUCCEEDED');
    // Release kept the version it wrote into the preview's pointer.
    expect(await item('PROJECT#same', 'DEPLOY#d-same-0002')).toMatchObject({ functionVersion: 'd-same-0002' });
    const record = await rollback('same', 'd-same-0002');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(statesEntered(record)).toEqual(
      expect.arrayContaining(['Update project stack', 'Anything to update?', 'Describe unchanged project stack', 'Release', 'Rolled back']),
    );
    expect(statesEntered(record)).not.toContain('Wait for Project stack update');
    expect(await routes.get('p:same')).toBe('d-same-0002@d-same-0002');
    expect(await item('PROJECT#same', 'META')).toMatchObject({ liveDeploymentId: 'd-same-0002', rolledBackTo: 'd-same-0002' });
  });

  it('another refusal of the update is still a failure of Update project stack', async () => {
    expect((await initProject('norefuse')).status).toBe('SUCCEEDED');
    await cloudformation('deleteStack', { StackName: 'slipway-project-norefuse' });
    const record = await engine.settled(await startDeploy('norefuse', 'd-norefuse-0001'));
    expect(record.status).toBe('FAILED');
    expect(await item('PROJECT#norefuse', 'DEPLOY#d-norefuse-0001')).toMatchObject({
      failedState: 'Update project stack',
      error: 'CloudFormation.ValidationError',
      cause: expect.stringContaining('Stack [slipway-project-norefuse] does not exist'),
    });
  });

  it('an update another change still runs on (a cancelled execution’s) is waited for, then made', async () => {
    expect((await initProject('busy')).status).toBe('SUCCEEDED');
    let openOther = () => {};
    warmGates.set('d-busy-0001', new Promise<void>((resolve) => (openOther = resolve)));
    const other = cloudformation('updateStack', {
      StackName: 'slipway-project-busy',
      UsePreviousTemplate: true,
      Parameters: [
        { ParameterKey: 'Project', UsePreviousValue: true },
        { ParameterKey: 'DeploymentId', ParameterValue: 'd-busy-0001' },
      ],
    });
    const deploy = await startDeploy('busy', 'd-busy-0002');
    while (!statesEntered(engine.describeExecution(deploy)).includes('Wait for project stack to settle')) {
      await new Promise((r) => setTimeout(r, 5));
    }
    openOther();
    await other;
    const record = await engine.settled(deploy);
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(statesEntered(record).filter((s) => s === 'Update project stack').length).toBeGreaterThanOrEqual(2);
    expect(await routes.get('p:busy')).toBe('d-busy-0002@d-busy-0002');
  });

  it('a stack still in progress after the last poll fails the step, naming the status and the time waited', async () => {
    // The synthesized bound, then the same definition with a bound of 3 polls (180 would take a minute of history writes here).
    const platform = await synthesizedOnce();
    type Choice = { Choices?: Array<{ And?: Array<{ NumericLessThan?: number }> }> };
    const settled = (workflow: { definition: Record<string, unknown> }) =>
      (workflow.definition.States as Record<string, Choice>)['Project stack update settled?']?.Choices?.[1]?.And?.[1] as {
        NumericLessThan?: number;
      };
    const machine = [...platform.workflows.values()].find((w) => w.name === 'slipway-build-and-deploy') as {
      definition: Record<string, unknown>;
    };
    expect(settled(machine).NumericLessThan).toBe(STACK_POLL_LIMIT);
    settled(machine).NumericLessThan = 3;
    const bounded = await LocalStepFunctions.create(platform, services, join(stateDir, 'bounded'), { waitMs: 1 });
    expect((await initProject('stuck')).status).toBe('SUCCEEDED');
    describedStatus = 'UPDATE_IN_PROGRESS';
    try {
      const name = 'stuck--build-deploy--d-stuck-0001';
      await doc.send(
        new PutCommand({
          TableName: 'slipway-platform',
          Item: { pk: 'PROJECT#stuck', sk: 'DEPLOY#d-stuck-0001', id: 'd-stuck-0001', status: 'QUEUED' },
        }),
      );
      const started = bounded.startExecution(
        stateMachineArn('slipway-build-and-deploy'),
        name,
        JSON.stringify({
          ticket: await ticketFor('build-deploy', 'stuck', name, { deploymentId: 'd-stuck-0001' }),
          project: 'stuck',
          deploymentId: 'd-stuck-0001',
          source: { bucket: 'slipway-sources', key: 'sources/stuck/x.tar.gz' },
        }),
      );
      const record = await bounded.settled(started.executionArn);
      expect(record.status).toBe('FAILED');
      expect(statesEntered(record).filter((s) => s === 'Check Project stack update')).toHaveLength(4);
      expect(statesEntered(record)).toContain('Project stack update timed out');
      expect(await item('PROJECT#stuck', 'DEPLOY#d-stuck-0001')).toMatchObject({
        failedState: 'Project stack update',
        error: 'CloudFormation.StackTimeout',
        cause: `the project stack was still UPDATE_IN_PROGRESS after ${STACK_POLL_LIMIT * 5} s`,
      });
    } finally {
      describedStatus = undefined;
      await bounded.close();
    }
    // The failed execution gave the stack's turn back: the next deploy goes through.
    expect((await engine.settled(await startDeploy('stuck', 'd-stuck-0002'))).status).toBe('SUCCEEDED');
  });
});

describe('tenant template upgrades', () => {
  it('every create and update carries the current template and its version tag: a deploy of a stack created from an older template upgrades it', async () => {
    // A stack created before a platform update: another template, another version.
    await doc.send(
      new PutCommand({ TableName: 'slipway-platform', Item: { pk: 'PROJECT#stale', sk: 'META', name: 'stale', status: 'READY' } }),
    );
    await cloudformation('createStack', {
      StackName: 'slipway-project-stale',
      TemplateURL: 'https://s3.us-east-1.amazonaws.com/earlier/0000.json',
      Tags: [{ Key: TEMPLATE_VERSION_TAG, Value: 'earlier' }],
      Parameters: [
        { ParameterKey: 'Project', ParameterValue: 'stale' },
        { ParameterKey: 'DeploymentId', ParameterValue: 'none' },
      ],
    });
    const synthesized = await synthesizedOnce();
    const machine = synthesized.workflows.get('slipway-build-and-deploy') as unknown as {
      definition: { States: Record<string, { Parameters?: unknown }> };
    };
    // The update is the *Update project stack* Lambda's call: the template and tag are constants of its payload.
    const update = (machine.definition.States['Update project stack']!.Parameters as { stackCall: unknown }).stackCall as {
      TemplateURL: string;
      Tags: Array<{ Key: string; Value: string }>;
      UsePreviousTemplate?: boolean;
    };
    expect(update.UsePreviousTemplate).toBeUndefined();
    const current = update.Tags.find((t) => t.Key === TEMPLATE_VERSION_TAG)?.Value;
    expect(current).toMatch(/^[0-9a-f]{16}$/);

    const record = await engine.settled(await startDeploy('stale', 'd-stale-0001'));
    expect(record.status, record.cause).toBe('SUCCEEDED');
    const stack = (await describeStack('slipway-project-stale')).Stacks[0] as { Tags?: Array<{ Key: string; Value: string }> };
    expect(stack.Tags).toEqual([{ Key: TEMPLATE_VERSION_TAG, Value: current }]);
    expect(await routes.get('p:stale')).toBe('d-stale-0001@d-stale-0001');
    // The project stacks init creates carry the same version.
    expect((await initProject('fresh')).status).toBe('SUCCEEDED');
    expect(((await describeStack('slipway-project-fresh')).Stacks[0] as { Tags?: unknown }).Tags).toEqual([
      { Key: TEMPLATE_VERSION_TAG, Value: current },
    ]);
  });
});

describe('stack updates are serialized per project', () => {
  it('a deploy waits for the turn while another updates the stack; both succeed and the newer one is live', async () => {
    expect((await initProject('turns')).status).toBe('SUCCEEDED');
    let openOlder = () => {};
    warmGates.set('d-turns-0001', new Promise<void>((resolve) => (openOlder = resolve)));
    mostWarmingAtOnce = 0;
    const older = await startDeploy('turns', 'd-turns-0001');
    while (!warmed.includes('turns:d-turns-0001') && warming === 0) await new Promise((r) => setTimeout(r, 5));
    const newer = await startDeploy('turns', 'd-turns-0002');
    // The newer execution reaches the stack while the older one's update is in progress: it waits for the turn.
    while (!statesEntered(engine.describeExecution(newer)).includes('Wait for project stack turn')) {
      await new Promise((r) => setTimeout(r, 5));
    }
    openOlder();
    const [olderRecord, newerRecord] = await Promise.all([engine.settled(older), engine.settled(newer)]);
    expect(olderRecord.status, olderRecord.cause).toBe('SUCCEEDED');
    expect(newerRecord.status, newerRecord.cause).toBe('SUCCEEDED');
    expect(mostWarmingAtOnce).toBe(1);
    expect(await routes.get('p:turns')).toBe('d-turns-0002@d-turns-0002');
    expect(await item('PROJECT#turns', 'META')).toMatchObject({ liveDeploymentId: 'd-turns-0002' });
    expect((await item('PROJECT#turns', 'META'))?.stackTurn).toBeUndefined();
  });

  it('two quick pushes: when the older reaches Release last it moves nothing and is recorded SUPERSEDED', async () => {
    let openOlder = () => {};
    buildGates.set('d-turns-0003', new Promise<void>((resolve) => (openOlder = resolve)));
    const older = await startDeploy('turns', 'd-turns-0003');
    // Executions are ordered by their start: make sure the newer one starts strictly later.
    await new Promise((r) => setTimeout(r, 5));
    const newer = await engine.settled(await startDeploy('turns', 'd-turns-0004'));
    expect(newer.status, newer.cause).toBe('SUCCEEDED');
    expect(await routes.get('p:turns')).toBe('d-turns-0004@d-turns-0004');
    openOlder();
    const record = await engine.settled(older);
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(statesEntered(record)).toEqual(expect.arrayContaining(['Release', 'Superseded?', 'Record superseded', 'Superseded']));
    expect(statesEntered(record)).not.toContain('Record live');
    expect(await routes.get('p:turns')).toBe('d-turns-0004@d-turns-0004');
    expect(await item('PROJECT#turns', 'META')).toMatchObject({ liveDeploymentId: 'd-turns-0004' });
    expect(await item('PROJECT#turns', 'DEPLOY#d-turns-0003')).toMatchObject({ status: 'SUPERSEDED' });
    // A preview's pointer is its own: an older preview of another alias is not superseded by it.
  });
});
