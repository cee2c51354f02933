import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { envKey } from '../../handlers/lib/env-key.js';
import { sealSecret } from '../../handlers/lib/secret-box.js';
import { RUNTIME_ENV_PARAMETER, RuntimeEnvironmentTooLarge } from '../../handlers/lib/project-settings/function-environment.js';
import { MAX_RUNTIME_ENV_BYTES } from '../../handlers/lib/project-settings/schemas.js';
import { putEnv, putRuntimeSnapshot, secretContext } from '../../handlers/lib/project-settings/store.js';
import { handler as updateProjectStack } from '../../handlers/pipeline/update-project-stack.js';
import { localCloudFormation } from '../../infra/local/cloudformation.js';
import { LocalStepFunctions, stateMachineArn } from '../../infra/local/engine/local-step-functions.js';
import type { LocalServices } from '../../infra/local/engine/task-bindings.js';
import { runInPlatform } from '../../handlers/lib/bindings/platform.js';
import { synthesizedOnce } from '../support/synthesized-once.js';
import { putObject, startTestAws, ticketFor, type TestAws } from '../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';

/**
 * Runtime variables on AWS: the deploy and rollback workflows, run by the local engine on the
 * synthesized state machines, hand a deployment's variables (secrets decrypted) to the project
 * stack's update as the NoEcho parameter RuntimeEnvironment, and nowhere else: not the execution's
 * input, states, output or history, not the step's result, not the stand-in's stacks file. A
 * rollback's update carries the variables of the deployment it returns to; a set too large for the
 * function's environment is refused with a JSON error naming the limit, before the build.
 */

type StackParameter = { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean };

const noHost = { prepare: async () => undefined, warm: async () => undefined, remove: async () => undefined };
let aws: TestAws;
let engine: LocalStepFunctions;
let doc: DynamoDBDocumentClient;
let stateDir: string;
let stacksFile: string;
let cloudformation: LocalServices['cloudformation'];
const updates: Array<{ stack: string; parameters: StackParameter[] }> = [];
const builds: string[] = [];

const services: LocalServices = {
  async runBuildJob(request) {
    const id = request.environment.SLIPWAY_BUILD_ID as string;
    builds.push(id);
    await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(validBundleEntries()));
    return { jobId: `job-${id}`, status: 'SUCCEEDED' };
  },
  async cloudformation(action, parameters) {
    if (action === 'updateStack') {
      updates.push({ stack: String(parameters.StackName), parameters: structuredClone(parameters.Parameters as StackParameter[]) });
    }
    return cloudformation(action, parameters);
  },
  assumeRole: async (parameters) => aws.storage.issuer.assumeRole(parameters),
  platform: () => aws.platform,
};

beforeAll(async () => {
  aws = await startTestAws();
  stateDir = mkdtempSync(join(tmpdir(), 'slipway-runtime-vars-'));
  stacksFile = join(stateDir, 'stacks.json');
  cloudformation = localCloudFormation(noHost, stacksFile);
  engine = await LocalStepFunctions.create(await synthesizedOnce(), services, join(stateDir, 'executions'), { waitMs: 1 });
  doc = aws.platform.table;
});

afterAll(async () => {
  await engine?.close();
  await aws?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

let runs = 0;
const start = (machine: string, name: string, input: Record<string, unknown>) =>
  engine.settled(engine.startExecution(stateMachineArn(machine), name, JSON.stringify(input)).executionArn);

async function initProject(project: string) {
  await doc.send(
    new PutCommand({ TableName: 'slipway-platform', Item: { pk: `PROJECT#${project}`, sk: 'META', name: project, status: 'CREATING' } }),
  );
  const name = `${project}--init-project--${++runs}`;
  return start('slipway-init-project', name, { ticket: await ticketFor('init-project', project, name), project });
}

async function deploy(project: string, deploymentId: string) {
  await doc.send(
    new PutCommand({
      TableName: 'slipway-platform',
      Item: { pk: `PROJECT#${project}`, sk: `DEPLOY#${deploymentId}`, id: deploymentId, status: 'QUEUED' },
    }),
  );
  const name = `${project}--build-deploy--${deploymentId}`;
  return start('slipway-build-and-deploy', name, {
    ticket: await ticketFor('build-deploy', project, name, { deploymentId }),
    project,
    deploymentId,
    source: { bucket: 'slipway-sources', key: `sources/${project}/x.tar.gz` },
  });
}

async function rollback(project: string, deploymentId: string) {
  const name = `${project}--rollback--${deploymentId}-${++runs}`;
  return start('slipway-rollback', name, { ticket: await ticketFor('rollback', project, name, { deploymentId }), project, deploymentId });
}

async function setVariable(
  project: string,
  key: string,
  value: string,
  options: { secret?: boolean; target?: 'build' | 'runtime' | 'both' } = {},
) {
  const secret = options.secret ?? false;
  await putEnv(project, {
    key,
    target: options.target ?? 'runtime',
    secret,
    ...(secret ? { sealed: sealSecret(value, await envKey(), secretContext(project, key)) } : { value }),
    updatedAt: new Date().toISOString(),
    updatedBy: 'test',
  });
}

/** The runtime variables the last update of `stack` passed, decoded from its NoEcho parameter. */
function lastRuntimeEnvironment(stack: string): Record<string, string> {
  const update = updates.filter((u) => u.stack === stack).at(-1);
  const parameter = update?.parameters.find((p) => p.ParameterKey === RUNTIME_ENV_PARAMETER);
  return JSON.parse(parameter?.ParameterValue ?? 'null') as Record<string, string>;
}

/** Every file under `dir`, as text: what the engine and the stand-in keep on disk. */
function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true })
    .map((entry) => join(dir, String(entry)))
    .filter((file) => statSync(file).isFile())
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

async function deploymentItem(project: string, deploymentId: string) {
  return (
    await doc.send(
      new GetCommand({
        TableName: 'slipway-platform',
        Key: { pk: `PROJECT#${project}`, sk: `DEPLOY#${deploymentId}` },
        ConsistentRead: true,
      }),
    )
  ).Item;
}

describe('runtime variables reach the project stack, never the execution', () => {
  const first = { PLAIN_GREETING: 'plain-greeting-one', API_TOKEN: 'sekrit-token-one-7f3a' };
  const second = { PLAIN_GREETING: 'plain-greeting-two', API_TOKEN: 'sekrit-token-two-91bc' };

  it('a deploy passes the snapshot, secrets decrypted, as the NoEcho parameter; the execution shows only counts', async () => {
    expect((await initProject('vars')).status).toBe('SUCCEEDED');
    await setVariable('vars', 'PLAIN_GREETING', first.PLAIN_GREETING);
    await setVariable('vars', 'API_TOKEN', first.API_TOKEN, { secret: true });
    // A build-only variable never reaches the function.
    await setVariable('vars', 'BUILD_ONLY', 'build-only-value', { target: 'build' });

    const record = await deploy('vars', 'd-vars-0001');
    expect(record.status, record.cause).toBe('SUCCEEDED');
    expect(lastRuntimeEnvironment('slipway-project-vars')).toEqual(first);

    const shown = JSON.stringify(record);
    // The history holds the states' data (a non-empty control), but no value of a runtime variable.
    expect((JSON.parse(record.output ?? '{}') as { prepared?: unknown }).prepared).toMatchObject({ runtimeVariables: 2, secrets: 1 });
    expect(shown.includes('Update project stack')).toBe(true);
    for (const value of Object.values(first)) expect(shown.includes(value), value).toBe(false);
    // Nor what the engine and the stand-in keep on disk; DescribeStacks masks the parameter as CloudFormation does.
    const disk = filesUnder(stateDir);
    expect(disk.includes('d-vars-0001')).toBe(true);
    for (const value of Object.values(first)) expect(disk.includes(value), value).toBe(false);
    const described = (await cloudformation('describeStacks', { StackName: 'slipway-project-vars' })) as {
      Stacks: Array<{ Parameters: StackParameter[] }>;
    };
    expect(described.Stacks[0]?.Parameters).toContainEqual({ ParameterKey: RUNTIME_ENV_PARAMETER, ParameterValue: '****' });
  });

  it('a rollback updates the stack with the variables of the deployment it returns to', async () => {
    await setVariable('vars', 'PLAIN_GREETING', second.PLAIN_GREETING);
    await setVariable('vars', 'API_TOKEN', second.API_TOKEN, { secret: true });
    const next = await deploy('vars', 'd-vars-0002');
    expect(next.status, next.cause).toBe('SUCCEEDED');
    expect(lastRuntimeEnvironment('slipway-project-vars')).toEqual(second);

    const builtBefore = builds.length;
    const back = await rollback('vars', 'd-vars-0001');
    expect(back.status, back.cause).toBe('SUCCEEDED');
    expect(builds.length).toBe(builtBefore);
    // The project's variables now say "two"; the version the rollback publishes gets what d-vars-0001 was built with.
    expect(lastRuntimeEnvironment('slipway-project-vars')).toEqual(first);
    expect(updates.at(-1)?.parameters).toContainEqual({ ParameterKey: 'DeploymentId', ParameterValue: 'd-vars-0001' });
    const shown = JSON.stringify(back);
    for (const value of [...Object.values(first), ...Object.values(second)]) expect(shown.includes(value), value).toBe(false);
  });

  it('refuses a set too large for the function environment before the build, with a JSON error naming the limit', async () => {
    expect((await initProject('bigvars')).status).toBe('SUCCEEDED');
    // Each value passes the API's per-value limit; together they cannot fit Lambda's 4 KB environment.
    await setVariable('bigvars', 'LARGE_ONE', 'a'.repeat(2100));
    await setVariable('bigvars', 'LARGE_TWO', 'b'.repeat(2100), { secret: true });
    const updatesBefore = updates.length;
    const record = await deploy('bigvars', 'd-bigvars-0001');
    expect(record.status).toBe('FAILED');
    expect(builds).not.toContain('d-bigvars-0001');
    expect(updates.length).toBe(updatesBefore);
    const item = await deploymentItem('bigvars', 'd-bigvars-0001');
    expect(item).toMatchObject({ status: 'FAILED', failedState: 'Prepare build', error: 'RuntimeEnvironmentTooLarge' });
    const cause = String(item?.cause);
    const json = JSON.parse(cause.slice(cause.indexOf('{'))) as Record<string, unknown>;
    expect(json).toMatchObject({
      error: 'RuntimeEnvironmentTooLarge',
      limit: 'MAX_RUNTIME_ENV_BYTES',
      maxBytes: MAX_RUNTIME_ENV_BYTES,
      variables: 2,
    });
    expect(json.bytes).toBeGreaterThan(MAX_RUNTIME_ENV_BYTES);
    expect(cause).not.toContain('b'.repeat(100));
  });

  it('the update step refuses an oversized snapshot itself (one taken before the check), calling no CloudFormation', async () => {
    // A snapshot another path wrote: the step measures what it would send, not what Prepare build checked.
    await putRuntimeSnapshot('bigvars', 'd-bigvars-0002', [{ key: 'HUGE', value: 'c'.repeat(4090) }]);
    const executionName = 'bigvars--build-deploy--d-bigvars-0002';
    const updatesBefore = updates.length;
    const event = {
      executionName,
      stackCall: { TemplateURL: 'https://example.com/t.json', Tags: [], RoleARN: 'arn:aws:iam::000000000000:role/x' },
      state: {
        ticket: await ticketFor('build-deploy', 'bigvars', executionName, { deploymentId: 'd-bigvars-0002' }),
        project: 'bigvars',
        deploymentId: 'd-bigvars-0002',
      },
    };
    const stacks = { update: async () => void updates.push({ stack: 'unexpected', parameters: [] }) };
    const refusal = await runInPlatform(Object.assign(Object.create(aws.platform), { projectStacks: stacks }), () =>
      updateProjectStack(event).then(
        () => undefined,
        (error: Error) => error,
      ),
    );
    expect(refusal).toBeInstanceOf(RuntimeEnvironmentTooLarge);
    expect(JSON.parse((refusal as Error).message)).toMatchObject({ limit: 'MAX_RUNTIME_ENV_BYTES', maxBytes: 4096 });
    expect(updates.length).toBe(updatesBefore);
  });
});
