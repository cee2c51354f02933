import { DEFAULT_PIPELINE_LIMITS, type PipelineLimits } from '../../handlers/lib/limits.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import aslValidator from 'asl-validator';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { LocalStepFunctions, stateMachineArn } from '../../infra/local/engine/local-step-functions.js';
import { type SynthesizedPlatform } from '../../infra/local/engine/synthesized-workflows.js';
import { synthesizedOnce } from '../support/synthesized-once.js';
import type { BuildJobRequest, LocalServices } from '../../infra/local/engine/task-bindings.js';
import { putObject, startTestAws, ticketFor, type TestAws } from '../support/local-aws.js';
import { tarFixture, validBundleEntries, type FixtureEntry } from '../support/tar-fixture.js';
import { UNSUMMARISED_CAUSE } from '../../workflows/steps.js';

/**
 * Each state machine, exactly as CDK synthesizes it, run by the local engine against the local
 * DynamoDB and S3 servers with the real handler modules. Only the Batch job and CloudFormation
 * are stood in for by test doubles here (the sandbox and function host have their own tests).
 */
let aws: TestAws;
let engine: LocalStepFunctions;
let platform: SynthesizedPlatform;
let doc: DynamoDBDocumentClient;
let routes: FileRouteCache;

/** What the fake build job should leave in the build bucket, per deployment id. */
const buildOutputs = new Map<string, FixtureEntry[] | Error>();
const buildRequests: BuildJobRequest[] = [];
const stackCalls: Array<{ action: string; parameters: Record<string, unknown> }> = [];
let failStacks = false;
/** The stacks that exist (by name), and those deleted (described by id only). */
const stacks = new Set<string>();
const deletedStacks = new Set<string>();
let lastStackAction = '';
/** Overrides what DescribeStacks reports, for the rolled-back stack case. */
let stackStatus: string | undefined;
/** The function version the last stack update published (a new number per update, as Lambda does). */
let publishedVersion = 0;
/** What `p:gamma` / `p:omega` hold while they are live. */
let gammaLive = '';
let omegaLive = '';

const services: LocalServices = {
  async runBuildJob(request) {
    buildRequests.push(request);
    const id = request.environment.SLIPWAY_BUILD_ID as string;
    const output = buildOutputs.get(id);
    if (output instanceof Error) throw output;
    await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(output ?? validBundleEntries()));
    return { jobId: `job-${id}`, status: 'SUCCEEDED' };
  },
  async cloudformation(action, parameters) {
    const name = String(parameters.StackName).replace(/^stack\//, '');
    if (action === 'describeStacks') {
      if (!stacks.has(name)) {
        // As CloudFormation: a deleted stack is described by its id only, as DELETE_COMPLETE.
        if (String(parameters.StackName).startsWith('stack/') && deletedStacks.has(name)) {
          return { Stacks: [{ StackId: `stack/${name}`, StackStatus: 'DELETE_COMPLETE' }] };
        }
        throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'CloudFormation.ValidationError' });
      }
      const created = lastStackAction === 'createStack';
      // An updated stack names the version it published (Release writes it into the pointer).
      return {
        Stacks: [
          {
            StackId: `stack/${name}`,
            StackStatus: stackStatus ?? (created ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE'),
            ...(created ? {} : { Outputs: [{ OutputKey: 'DeploymentVersion', OutputValue: String(publishedVersion) }] }),
          },
        ],
      };
    }
    stackCalls.push({ action, parameters });
    lastStackAction = action;
    if (action === 'updateStack' && !failStacks) publishedVersion += 1;
    if (failStacks) throw Object.assign(new Error('stack is in UPDATE_ROLLBACK_FAILED state'), { name: 'CloudFormation.ValidationError' });
    if (action === 'createStack') stacks.add(name);
    if (action === 'deleteStack' && stacks.delete(name)) deletedStacks.add(name);
    return { StackId: `stack/${name}` };
  },
  assumeRole: async (parameters) => aws.storage.issuer.assumeRole(parameters),
  platform: () => aws.platform,
};

beforeAll(async () => {
  aws = await startTestAws();
  platform = await synthesizedOnce();
  engine = await LocalStepFunctions.create(platform, services, `${aws.dir}/executions`);
  doc = aws.platform.table;
  routes = new FileRouteCache(aws.routeCacheDir);
});

afterAll(async () => {
  await engine?.close();
  await aws?.close();
});

async function item(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  return (await doc.send(new GetCommand({ TableName: 'slipway-platform', Key: { pk, sk }, ConsistentRead: true }))).Item;
}

async function run(machine: string, name: string, input: Record<string, unknown>) {
  const started = engine.startExecution(stateMachineArn(machine), name, JSON.stringify(input));
  return engine.settled(started.executionArn);
}

async function initProject(project: string) {
  const name = `${project}--init-project--1`;
  await doc.send(
    new PutCommand({ TableName: 'slipway-platform', Item: { pk: `PROJECT#${project}`, sk: 'META', name: project, status: 'CREATING' } }),
  );
  return run('slipway-init-project', name, { ticket: await ticketFor('init-project', project, name), project });
}

async function deploy(project: string, deploymentId: string, ticketOverride?: string, preview?: string) {
  const name = `${project}--build-deploy--${deploymentId}`;
  await doc.send(
    new PutCommand({
      TableName: 'slipway-platform',
      Item: { pk: `PROJECT#${project}`, sk: `DEPLOY#${deploymentId}`, id: deploymentId, status: 'QUEUED', ...(preview ? { preview } : {}) },
    }),
  );
  const ticket = ticketOverride ?? (await ticketFor('build-deploy', project, name, { preview, deploymentId }));
  return run('slipway-build-and-deploy', name, {
    ticket,
    project,
    deploymentId,
    source: { bucket: 'slipway-sources', key: `sources/${project}/x.tar.gz` },
    ...(preview ? { preview } : {}),
  });
}

async function rollback(project: string, deploymentId: string, suffix: string, limits?: PipelineLimits) {
  const name = `${project}--rollback--${deploymentId}-${suffix}`;
  return run('slipway-rollback', name, {
    ticket: await ticketFor('rollback', project, name, { limits, deploymentId }),
    project,
    deploymentId,
  });
}

function statesEntered(record: { events: Array<{ type: string; stateEnteredEventDetails?: { name: string } }> }): string[] {
  return record.events.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails?.name as string);
}

describe('synthesized definitions', () => {
  it('the engine runs exactly what CDK synthesized: every literal of each DefinitionString is in the executed definition', () => {
    const resources = platform.resources;
    const machines = engine.stateMachines();
    expect(machines.map((m) => m.name).sort()).toEqual([
      'slipway-build-and-deploy',
      'slipway-delete-project',
      'slipway-init-project',
      'slipway-rollback',
      'slipway-template-rollout',
    ]);
    for (const machine of machines) {
      const template = Object.values(resources).find(
        (r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties?.StateMachineName === machine.name,
      );
      const definitionString = template?.Properties?.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
      const literals =
        typeof definitionString === 'string'
          ? [definitionString]
          : definitionString['Fn::Join'][1].filter((p): p is string => typeof p === 'string');
      const executed = JSON.stringify(machine.definition);
      let from = 0;
      for (const literal of literals) {
        const at = executed.indexOf(literal, from);
        expect(at, `literal ${literal.slice(0, 60)}… of ${machine.name}`).toBeGreaterThanOrEqual(from);
        from = at + literal.length;
      }
    }
  });

  it('in every workflow, a failure is summarised before it is recorded: only the summarising states lead to Record failure', () => {
    for (const machine of engine.stateMachines()) {
      const states = machine.definition.States as Record<
        string,
        { Type: string; Next?: string; Catch?: Array<{ Next: string }>; Choices?: Array<{ Next: string }>; Default?: string }
      >;
      // The template rollout records on no item: each project's failure goes into its output, for operators.
      if (machine.name !== 'slipway-template-rollout') {
        expect(Object.keys(states), machine.name).toContain('Summarise failure');
        const into = Object.entries(states)
          .filter(([, s]) =>
            [s.Next, s.Default, ...(s.Catch ?? []).map((c) => c.Next), ...(s.Choices ?? []).map((c) => c.Next)].includes('Record failure'),
          )
          .map(([name]) => name)
          .sort();
        expect(into, machine.name).toEqual(['Failure not summarised', 'Summarise failure']);
      }
      // Every Lambda step but the summariser (which holds no rights and takes no ticket) gets the execution's name from the context object.
      const lambdaSteps = Object.entries(states).filter(
        ([name, s]) =>
          s.Type === 'Task' && /:lambda:.*:function:/.test(String((s as { Resource?: string }).Resource)) && name !== 'Summarise failure',
      );
      expect(lambdaSteps.length, machine.name).toBeGreaterThanOrEqual(1);
      for (const [name, s] of lambdaSteps) {
        expect((s as { Parameters?: Record<string, unknown> }).Parameters?.['executionName.$'], `${machine.name} ${name}`).toBe(
          '$$.Execution.Name',
        );
      }
    }
  });

  it('every synthesized definition passes asl-validator', () => {
    for (const machine of engine.stateMachines()) {
      const result = aslValidator(machine.definition);
      expect(result.errors, `${machine.name}: ${result.errorsText()}`).toEqual([]);
      expect(result.isValid).toBe(true);
    }
  });
});

describe('init-project', () => {
  it('creates the project stack and records READY', async () => {
    const record = await initProject('alpha');
    expect(record.status).toBe('SUCCEEDED');
    expect(stackCalls.at(-1)).toMatchObject({ action: 'createStack', parameters: { StackName: 'slipway-project-alpha' } });
    expect(await item('PROJECT#alpha', 'META')).toMatchObject({ status: 'READY', executionName: 'alpha--init-project--1' });
  });

  it('records FAILED with the failing state when the stack cannot be created', async () => {
    failStacks = true;
    try {
      const record = await initProject('beta');
      expect(record.status).toBe('FAILED');
      expect(await item('PROJECT#beta', 'META')).toMatchObject({
        status: 'FAILED',
        failedState: 'Create project stack',
        error: 'CloudFormation.ValidationError',
      });
    } finally {
      failStacks = false;
    }
  });
});

describe('build-and-deploy', () => {
  it('builds, validates, promotes, releases and records LIVE', async () => {
    await initProject('gamma');
    const record = await deploy('gamma', 'd-first-0001');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(statesEntered(record)).toEqual([
      // An uploaded source (no `github` in the input) skips Fetch source and the GitHub reports.
      'Verify ticket',
      'Record building',
      'Prepare build',
      'Source from GitHub?',
      'Scope build policy',
      'Scope build credentials',
      'Build',
      'Validate output',
      'Promote',
      'Take project stack turn',
      'Project stack turn taken?',
      'Start project stack update',
      'Update project stack',
      'Start Project stack update polls',
      'Check Project stack update',
      'Project stack update settled?',
      'Project stack update complete',
      'Release',
      'Give project stack turn',
      'Superseded?',
      'Record live',
      'Report live?',
      'Live',
    ]);
    expect(buildRequests.at(-1)?.environment).toMatchObject({
      SLIPWAY_PROJECT: 'gamma',
      SLIPWAY_BUILD_ID: 'd-first-0001',
      SLIPWAY_SOURCE_KEY: 'sources/gamma/x.tar.gz',
    });
    // The job is confined by its scoped credentials; the ticket is the pipeline's, not the build's.
    expect(Object.keys(buildRequests.at(-1)?.environment ?? {})).not.toContain('SLIPWAY_TICKET');
    expect(await item('PROJECT#gamma', 'DEPLOY#d-first-0001')).toMatchObject({ status: 'LIVE' });
    expect(await item('PROJECT#gamma', 'META')).toMatchObject({ liveDeploymentId: 'd-first-0001' });
    // The pointer names the version the stack update published: the router invokes exactly it.
    gammaLive = `d-first-0001@${publishedVersion}`;
    expect(await routes.get('p:gamma')).toBe(gammaLive);
    expect(await routes.get('r:d-first-0001:/about')).toBe('prerendered/about.html');
    const head = await aws.s3.send(
      new HeadObjectCommand({ Bucket: 'slipway-projects', Key: 'gamma/deployments/d-first-0001/prerendered/about.html' }),
    );
    expect(head.ContentType).toMatch(/^text\/html/);
    expect(stackCalls.at(-1)).toMatchObject({ action: 'updateStack', parameters: { StackName: 'slipway-project-gamma' } });
  });

  it('records a failed build in state Build and keeps the previous version live', async () => {
    buildOutputs.set(
      'd-broken-0002',
      Object.assign(new Error('build failed (npm run build exited with code 1)'), { name: 'States.TaskFailed' }),
    );
    const record = await deploy('gamma', 'd-broken-0002');
    expect(record.status).toBe('FAILED');
    expect(await item('PROJECT#gamma', 'DEPLOY#d-broken-0002')).toMatchObject({
      status: 'FAILED',
      failedState: 'Build',
      error: 'States.TaskFailed',
    });
    expect(String((await item('PROJECT#gamma', 'DEPLOY#d-broken-0002'))?.cause)).toContain('npm run build exited with code 1');
    expect(await item('PROJECT#gamma', 'META')).toMatchObject({ liveDeploymentId: 'd-first-0001' });
    expect(await routes.get('p:gamma')).toBe(gammaLive);
  });

  it("records a summary of a failed build job's cause, without the job's environment or anything credential-looking", async () => {
    // What a failed Batch `.sync` step gives as its cause on AWS: the job description, container environment included.
    const job = {
      JobName: 'slipway-build',
      JobId: 'job-7',
      Status: 'FAILED',
      StatusReason: 'Essential container in task exited',
      Container: {
        ExitCode: 1,
        Reason: 'build failed',
        Environment: [
          { Name: 'AWS_ACCESS_KEY_ID', Value: 'ASIAQWERTYUIOPASDFGH' },
          { Name: 'AWS_SECRET_ACCESS_KEY', Value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY' },
          { Name: 'AWS_SESSION_TOKEN', Value: 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN1234567890' },
        ],
      },
    };
    buildOutputs.set('d-leaky-0009', Object.assign(new Error(JSON.stringify(job)), { name: 'States.TaskFailed' }));
    const record = await deploy('gamma', 'd-leaky-0009');
    expect(record.status).toBe('FAILED');
    const stored = await item('PROJECT#gamma', 'DEPLOY#d-leaky-0009');
    expect(stored).toMatchObject({ status: 'FAILED', failedState: 'Build', error: 'States.TaskFailed' });
    expect(stored?.cause).toBe(
      'Batch job slipway-build job-7 FAILED: Essential container in task exited: container exit code 1: build failed',
    );
    expect(record.cause).toBe(stored?.cause);
    for (const secret of ['ASIAQWERTYUIOPASDFGH', 'wJalrXUtnFEMI', 'IQoJb3JpZ2luX2Vj']) {
      expect(JSON.stringify(stored)).not.toContain(secret);
      expect(record.cause).not.toContain(secret);
    }
    // The build's credentials (handed to Build through the state) are dropped before the failure is summarised and recorded.
    const entered = (name: string) =>
      JSON.stringify(
        record.events.find((e) => (e as { stateEnteredEventDetails?: { name: string } }).stateEnteredEventDetails?.name === name),
      );
    expect(entered('Build')).toContain('secretAccessKey');
    expect(statesEntered(record)).toEqual(
      expect.arrayContaining(['Build failed', 'Forget build credentials', 'Summarise failure', 'Record failure']),
    );
    expect(entered('Summarise failure')).not.toContain('secretAccessKey');
    expect(entered('Record failure')).not.toContain('secretAccessKey');
    expect(entered('Record failure')).not.toContain('ASIAQWERTYUIOPASDFGH');
  });

  it('still records FAILED, with a generic cause, when the failure cannot be summarised', async () => {
    // The same definition, its summarising function bound to a handler that refuses this input.
    const broken = structuredClone(platform);
    const summariser = Object.values(broken.resources).find((r) => r.Properties?.Handler === 'handlers/pipeline/summarise-failure.handler');
    expect(summariser).toBeDefined();
    (summariser as { Properties: Record<string, unknown> }).Properties.Handler = 'handlers/pipeline/verify-ticket.handler';
    const brokenEngine = await LocalStepFunctions.create(broken, services, `${aws.dir}/executions-broken`);
    try {
      const deploymentId = 'd-unsummarised-0010';
      const name = `gamma--build-deploy--${deploymentId}`;
      await doc.send(
        new PutCommand({
          TableName: 'slipway-platform',
          Item: { pk: 'PROJECT#gamma', sk: `DEPLOY#${deploymentId}`, id: deploymentId, status: 'QUEUED' },
        }),
      );
      buildOutputs.set(deploymentId, Object.assign(new Error('secret=hunter2hunter2'), { name: 'States.TaskFailed' }));
      const started = brokenEngine.startExecution(
        stateMachineArn('slipway-build-and-deploy'),
        name,
        JSON.stringify({
          ticket: await ticketFor('build-deploy', 'gamma', name, { deploymentId }),
          project: 'gamma',
          deploymentId,
          source: { bucket: 'slipway-sources', key: 'sources/gamma/x.tar.gz' },
        }),
      );
      const record = await brokenEngine.settled(started.executionArn);
      expect(record.status).toBe('FAILED');
      expect(statesEntered(record)).toContain('Failure not summarised');
      const stored = await item('PROJECT#gamma', `DEPLOY#${deploymentId}`);
      expect(stored).toMatchObject({
        status: 'FAILED',
        failedState: 'Build',
        error: 'Slipway.FailureNotSummarised',
        cause: UNSUMMARISED_CAUSE,
      });
      expect(record.cause).toBe(UNSUMMARISED_CAUSE);
    } finally {
      await brokenEngine.close();
    }
  });

  it('refuses build output with path traversal in state Validate output and promotes nothing', async () => {
    buildOutputs.set('d-evil-0003', validBundleEntries({ extra: [{ path: '../../escape.js', body: 'x' }] }));
    const record = await deploy('gamma', 'd-evil-0003');
    expect(record.status).toBe('FAILED');
    expect(await item('PROJECT#gamma', 'DEPLOY#d-evil-0003')).toMatchObject({
      status: 'FAILED',
      failedState: 'Validate output',
      error: 'InvalidBuildOutput',
    });
    await expect(
      aws.s3.send(new HeadObjectCommand({ Bucket: 'slipway-projects', Key: 'gamma/deployments/d-evil-0003/slipway-manifest.json' })),
    ).rejects.toThrow();
    expect(await routes.get('p:gamma')).toBe(gammaLive);
  });

  it('records FAILED in Update project stack when CloudFormation refuses, without moving the live pointer', async () => {
    failStacks = true;
    try {
      const record = await deploy('gamma', 'd-stack-0004');
      expect(record.status).toBe('FAILED');
      expect(await item('PROJECT#gamma', 'DEPLOY#d-stack-0004')).toMatchObject({ failedState: 'Update project stack' });
      expect(await routes.get('p:gamma')).toBe(gammaLive);
    } finally {
      failStacks = false;
    }
  });

  it('records FAILED when the project stack update rolls back, without moving the live pointer', async () => {
    stackStatus = 'UPDATE_ROLLBACK_COMPLETE';
    try {
      const record = await deploy('gamma', 'd-rollback-0008');
      expect(record.status).toBe('FAILED');
      expect(await item('PROJECT#gamma', 'DEPLOY#d-rollback-0008')).toMatchObject({
        status: 'FAILED',
        failedState: 'Project stack update',
        error: 'CloudFormation.StackFailed',
        cause: 'the project stack ended in UPDATE_ROLLBACK_COMPLETE',
      });
      expect(await routes.get('p:gamma')).toBe(gammaLive);
    } finally {
      stackStatus = undefined;
    }
  });

  it('releases a preview under p:{project}--{alias} with its version, keeping the live pointer and record', async () => {
    const record = await deploy('gamma', 'd-prev-0005', undefined, 'feature-x');
    expect(record.status, `${record.cause} ${statesEntered(record).join(' > ')}`).toBe('SUCCEEDED');
    expect(statesEntered(record)).toContain('Update project stack');
    expect(stackCalls.at(-1)).toMatchObject({
      action: 'updateStack',
      parameters: {
        Parameters: [
          { ParameterKey: 'Project', UsePreviousValue: true },
          { ParameterKey: 'DeploymentId', ParameterValue: 'd-prev-0005' },
          { ParameterKey: 'MemorySize', ParameterValue: expect.any(String) },
          { ParameterKey: 'FunctionTimeout', ParameterValue: expect.any(String) },
          // No runtime variables set: the function's environment holds none (test/workflows/runtime-variables.test.ts sets some).
          { ParameterKey: 'RuntimeEnvironment', ParameterValue: '{}' },
        ],
      },
    });
    expect(await routes.get('p:gamma--feature-x')).toBe(`d-prev-0005@${publishedVersion}`);
    expect(`d-prev-0005@${publishedVersion}`).not.toBe(gammaLive);
    expect(await routes.get('r:d-prev-0005:/about')).toBe('prerendered/about.html');
    expect(await routes.get('p:gamma')).toBe(gammaLive);
    expect(await item('PROJECT#gamma', 'META')).toMatchObject({ liveDeploymentId: 'd-first-0001' });
    expect(await item('PROJECT#gamma', 'DEPLOY#d-prev-0005')).toMatchObject({ status: 'LIVE', preview: 'feature-x' });
  });

  it('refuses a preview alias the ticket does not name, releasing nothing', async () => {
    const name = 'gamma--build-deploy--d-prev-0006';
    const record = await deploy(
      'gamma',
      'd-prev-0006',
      await ticketFor('build-deploy', 'gamma', name, { deploymentId: 'd-prev-0006' }),
      'other',
    );
    expect(record.status).toBe('FAILED');
    expect(await routes.get('p:gamma--other')).toBeUndefined();
    expect(await routes.get('p:gamma')).toBe(gammaLive);
  });

  it('stops at Verify ticket for a tampered ticket and records nothing', async () => {
    const good = await ticketFor('build-deploy', 'gamma', 'gamma--build-deploy--d-forged-0005');
    const [h, p, s] = good.split('.') as [string, string, string];
    const tampered = `${h}.${p}.${s.slice(0, -4)}AAAA`;
    const requestsBefore = buildRequests.length;
    const record = await deploy('gamma', 'd-forged-0005', tampered);
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('TicketError');
    expect(statesEntered(record)).toEqual(['Verify ticket', 'Ticket refused']);
    expect(buildRequests.length).toBe(requestsBefore);
    expect(await item('PROJECT#gamma', 'DEPLOY#d-forged-0005')).toMatchObject({ status: 'QUEUED' });
  });

  it('refuses a genuine ticket issued for another execution', async () => {
    const other = await ticketFor('build-deploy', 'gamma', 'gamma--build-deploy--d-other-0006');
    const record = await deploy('gamma', 'd-reuse-0007', other);
    expect(record.status).toBe('FAILED');
    expect(record.cause).toContain('ticket is for execution gamma--build-deploy--d-other-0006');
  });

  it('keeps the execution history with every state entered and exited, on disk', async () => {
    const executions = engine.listExecutions({ stateMachineArn: stateMachineArn('slipway-build-and-deploy') });
    const listed = executions.find((e) => e.name === 'gamma--build-deploy--d-first-0001');
    const live = listed && engine.describeExecution(listed.executionArn);
    const types = live?.events.map((e) => e.type) ?? [];
    expect(types[0]).toBe('ExecutionStarted');
    expect(types).toContain('TaskStateEntered');
    expect(types).toContain('TaskStateExited');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    const reopened = await LocalStepFunctions.create(platform, services, `${aws.dir}/executions`);
    expect(reopened.describeExecution(live?.executionArn as string).status).toBe('SUCCEEDED');
    // The files hold tickets: only the platform's user may read them.
    expect(statSync(`${aws.dir}/executions`).mode & 0o777).toBe(0o700);
    const files = readdirSync(`${aws.dir}/executions`).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(statSync(`${aws.dir}/executions/${file}`).mode & 0o777, file).toBe(0o600);
  });
});

describe('rollback', () => {
  it('moves the live pointer back to an earlier deployment without a rebuild, and records it on the project', async () => {
    await initProject('omega');
    expect((await deploy('omega', 'd-omega-0001')).status).toBe('SUCCEEDED');
    expect((await deploy('omega', 'd-omega-0002')).status).toBe('SUCCEEDED');
    const beforeRollback = `d-omega-0002@${publishedVersion}`;
    expect(await routes.get('p:omega')).toBe(beforeRollback);
    const buildsBefore = buildRequests.length;

    // The signed limits of the owner's subscription reach the stack as its function settings.
    const record = await rollback('omega', 'd-omega-0001', '1', {
      ...DEFAULT_PIPELINE_LIMITS,
      functionMemoryMb: 2048,
      functionTimeoutSeconds: 45,
    });
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(statesEntered(record)).toEqual([
      'Verify ticket',
      'Check target',
      'Take project stack turn',
      'Project stack turn taken?',
      'Start project stack update',
      'Update project stack',
      'Start Project stack update polls',
      'Check Project stack update',
      'Project stack update settled?',
      'Project stack update complete',
      'Release',
      'Give project stack turn',
      'Superseded?',
      'Record rollback',
      'Rolled back',
    ]);
    expect(buildRequests.length).toBe(buildsBefore);
    expect(stackCalls.at(-1)).toMatchObject({
      action: 'updateStack',
      parameters: {
        StackName: 'slipway-project-omega',
        Parameters: [
          { ParameterKey: 'Project', UsePreviousValue: true },
          { ParameterKey: 'DeploymentId', ParameterValue: 'd-omega-0001' },
          { ParameterKey: 'MemorySize', ParameterValue: '2048' },
          { ParameterKey: 'FunctionTimeout', ParameterValue: '45' },
          // No runtime variables set: the function's environment holds none (test/workflows/runtime-variables.test.ts sets some).
          { ParameterKey: 'RuntimeEnvironment', ParameterValue: '{}' },
        ],
      },
    });
    // The rollback's stack update published the target's code as a version; the pointer names it.
    omegaLive = `d-omega-0001@${publishedVersion}`;
    expect(await routes.get('p:omega')).toBe(omegaLive);
    expect(omegaLive).not.toBe(beforeRollback);
    expect(await routes.get('r:d-omega-0001:/about')).toBe('prerendered/about.html');
    const meta = await item('PROJECT#omega', 'META');
    expect(meta).toMatchObject({ status: 'READY', liveDeploymentId: 'd-omega-0001', rolledBackTo: 'd-omega-0001' });
    expect(Date.parse(String(meta?.lastRollbackAt))).not.toBeNaN();
    // The deployments themselves are untouched: both went live once.
    expect(await item('PROJECT#omega', 'DEPLOY#d-omega-0002')).toMatchObject({ status: 'LIVE' });
  });

  it('refuses a target that never went live in Check target, records FAILED on the project and keeps the live pointer', async () => {
    buildOutputs.set('d-omega-0003', Object.assign(new Error('build failed'), { name: 'States.TaskFailed' }));
    expect((await deploy('omega', 'd-omega-0003')).status).toBe('FAILED');
    const stackCallsBefore = stackCalls.length;

    const record = await rollback('omega', 'd-omega-0003', '2');
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('RollbackTargetInvalid');
    expect(stackCalls.length).toBe(stackCallsBefore);
    const meta = await item('PROJECT#omega', 'META');
    expect(meta).toMatchObject({
      status: 'FAILED',
      failedState: 'Check target',
      error: 'RollbackTargetInvalid',
      liveDeploymentId: 'd-omega-0001',
    });
    expect(String(meta?.cause)).toContain('deployment d-omega-0003 of project omega never went live');
    expect(await routes.get('p:omega')).toBe(omegaLive);
  });

  it('refuses a ticket issued for build-deploy', async () => {
    const name = 'omega--rollback--d-omega-0002-3';
    const record = await run('slipway-rollback', name, {
      ticket: await ticketFor('build-deploy', 'omega', name, { deploymentId: 'd-omega-0002' }),
      project: 'omega',
      deploymentId: 'd-omega-0002',
    });
    expect(record.status).toBe('FAILED');
    expect(statesEntered(record)).toEqual(['Verify ticket', 'Ticket refused']);
    expect(await routes.get('p:omega')).toBe(omegaLive);
  });
});

describe('skew protection', () => {
  /** Whether the deployment's prefix holds a build asset (own or carried). */
  async function holds(project: string, deploymentId: string, file: string): Promise<boolean> {
    try {
      await aws.s3.send(
        new HeadObjectCommand({ Bucket: 'slipway-projects', Key: `${project}/deployments/${deploymentId}/client/_app/immutable/${file}` }),
      );
      return true;
    } catch {
      return false;
    }
  }
  const chunk = (n: number): FixtureEntry => ({ path: `client/_app/immutable/chunks/c${n}.js`, body: `chunk ${n}` });

  it('a deployment carries the own chunks of the last 3 of its pointer (never copies of copies); a rollback target gets those of the deployments it replaces', async () => {
    await initProject('sigma');
    for (const n of [1, 2, 3, 4, 5]) {
      buildOutputs.set(`d-sigma-000${n}`, validBundleEntries({ extra: [chunk(n)] }));
      expect((await deploy('sigma', `d-sigma-000${n}`)).status).toBe('SUCCEEDED');
    }
    // d5 has its own chunk and those of d4, d3 and d2; d4 held a copy of d1's, which is not d4's own.
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => holds('sigma', 'd-sigma-0005', `chunks/c${n}.js`)))).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
    const carried = await aws.s3.send(
      new HeadObjectCommand({ Bucket: 'slipway-projects', Key: 'sigma/deployments/d-sigma-0005/client/_app/immutable/chunks/c4.js' }),
    );
    expect(carried.CacheControl).toBe('public, max-age=31536000, immutable');
    expect(carried.ContentType).toMatch(/javascript/);

    // A preview carries only its own alias's earlier deployments.
    buildOutputs.set('d-sigma-0006', validBundleEntries({ extra: [chunk(6)] }));
    expect((await deploy('sigma', 'd-sigma-0006', undefined, 'feat')).status).toBe('SUCCEEDED');
    expect(await holds('sigma', 'd-sigma-0006', 'chunks/c6.js')).toBe(true);
    expect(await holds('sigma', 'd-sigma-0006', 'chunks/c5.js')).toBe(false);

    // Rolling back to d2 (which held c1 already) brings the chunks of d5, d4 and d3 into it, not the preview's.
    expect(await holds('sigma', 'd-sigma-0002', 'chunks/c5.js')).toBe(false);
    const record = await rollback('sigma', 'd-sigma-0002', '1');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(await Promise.all([1, 2, 3, 4, 5, 6].map((n) => holds('sigma', 'd-sigma-0002', `chunks/c${n}.js`)))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('delete-project', () => {
  it('removes the stack, the route-cache entries, the objects and the records', async () => {
    const name = 'gamma--delete-project--1';
    const record = await run('slipway-delete-project', name, {
      ticket: await ticketFor('delete-project', 'gamma', name),
      project: 'gamma',
    });
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(stackCalls.at(-1)).toMatchObject({ action: 'deleteStack', parameters: { StackName: 'stack/slipway-project-gamma' } });
    expect(await routes.get('p:gamma')).toBeUndefined();
    expect(await routes.get('p:gamma--feature-x')).toBeUndefined();
    expect(await routes.get('r:d-first-0001:/about')).toBeUndefined();
    expect(await routes.get('r:d-prev-0005:/about')).toBeUndefined();
    expect(await item('PROJECT#gamma', 'META')).toBeUndefined();
    await expect(
      aws.s3.send(new HeadObjectCommand({ Bucket: 'slipway-projects', Key: 'gamma/deployments/d-first-0001/prerendered/about.html' })),
    ).rejects.toThrow();
  });

  it('records FAILED in Delete project stack when CloudFormation refuses', async () => {
    await initProject('delta');
    failStacks = true;
    try {
      const name = 'delta--delete-project--1';
      const record = await run('slipway-delete-project', name, {
        ticket: await ticketFor('delete-project', 'delta', name),
        project: 'delta',
      });
      expect(record.status).toBe('FAILED');
      expect(await item('PROJECT#delta', 'META')).toMatchObject({ status: 'FAILED', failedState: 'Delete project stack' });
    } finally {
      failStacks = false;
    }
  });
});
