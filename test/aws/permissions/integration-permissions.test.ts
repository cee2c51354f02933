import { beforeAll, describe, expect, it } from 'vitest';
import {
  type IntegrationPermissions,
  type IntegrationTarget,
  STATE_MACHINE_PERMISSIONS,
  STEP_FUNCTIONS_INTEGRATIONS,
  integrationKey,
} from '../../../infra/aws/permissions/integration-permissions.js';
import {
  TEST_ACCOUNT,
  TEST_REGION,
  type ResolvedStatement,
  type TemplateResource,
  allows,
  platformTemplate,
  resolveValue,
  roleStatements,
} from '../support/iam-policy.js';
import { taskStates } from '../support/state-machines.js';

type Task = { name: string; Resource: string; Parameters?: Record<string, unknown> };

const table = STEP_FUNCTIONS_INTEGRATIONS as Record<string, IntegrationPermissions>;
let resources: Record<string, TemplateResource>;
let machines: Array<{ name: string; role: ResolvedStatement[]; tasks: Task[] }>;

beforeAll(() => {
  resources = platformTemplate();
  machines = Object.values(resources)
    .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map((machine) => {
      const props = machine.Properties as {
        StateMachineName: string;
        RoleArn: { 'Fn::GetAtt': [string, string] };
        DefinitionString: unknown;
      };
      return {
        name: props.StateMachineName,
        role: roleStatements(resources, props.RoleArn['Fn::GetAtt'][0]),
        tasks: taskStates(resolveValue(props.DefinitionString, resources)) as Task[],
      };
    });
}, 120_000);

/** The ARN a Task acts on, from its parameters (resolved references read `<Logical.Attr>`). */
function taskTarget(task: Task, action: string): string[] {
  const p = task.Parameters ?? {};
  switch (integrationKey(task.Resource).split(':').slice(0, 2).join(':')) {
    case 'lambda-function-arn':
      return [task.Resource];
    case 'dynamodb:updateItem':
      return [`arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT}:table/${String(p.TableName)}`];
    case 'batch:submitJob.sync':
      return [String(p.JobQueue), `arn:aws:batch:${TEST_REGION}:${TEST_ACCOUNT}:job-definition/slipway-buildrunner:3`];
    case 'aws-sdk:sts':
      return [String(p.RoleArn)];
    case 'aws-sdk:cloudformation':
      return [`arn:aws:cloudformation:${TEST_REGION}:${TEST_ACCOUNT}:stack/slipway-project-demo/0a1b2c3d-1111-2222-3333-444455556666`];
    default:
      throw new Error(`no target known for ${task.Resource} (${action})`);
  }
}

function targets(task: Task, action: string, target: IntegrationTarget): string[] {
  if (target === 'task-target') return taskTarget(task, action);
  if (target === 'batch-job') return [`arn:aws:batch:${TEST_REGION}:${TEST_ACCOUNT}:job/3f2a0a52-6b8e-4a6b-9a57-6d2f2b1c9e01`];
  if (target === 'batch-events-rule') return [`arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:rule/StepFunctionsGetEventsForBatchJobsRule`];
  return ['*'];
}

describe('Step Functions integrations against their documented permissions', () => {
  it('lists every integration a Task state uses', () => {
    const used = new Set(machines.flatMap((m) => m.tasks.map((task) => integrationKey(task.Resource))));
    expect([...used].filter((key) => !table[key])).toEqual([]);
    // The table holds no integration the machines stopped using.
    expect(Object.keys(table).filter((key) => !used.has(key))).toEqual([]);
  });

  it("gives each state machine's role every documented action of every integration it uses, on what the task names", () => {
    const gaps: string[] = [];
    for (const machine of machines)
      for (const task of machine.tasks) {
        const row = table[integrationKey(task.Resource)];
        for (const [action, target] of Object.entries(row?.actions ?? {}))
          for (const arn of targets(task, action, target))
            if (!allows(machine.role, action, arn)) gaps.push(`${machine.name} / ${task.name}: ${action} on ${arn}`);
      }
    expect(gaps).toEqual([]);
  });

  it('lets a stopped or timed-out build terminate its Batch job (and poll it)', () => {
    const build = machines.find((m) => m.name === 'slipway-build-and-deploy')!;
    expect(build.tasks.some((task) => task.Resource.endsWith('batch:submitJob.sync'))).toBe(true);
    const job = `arn:aws:batch:${TEST_REGION}:${TEST_ACCOUNT}:job/3f2a0a52-6b8e-4a6b-9a57-6d2f2b1c9e01`;
    expect(allows(build.role, 'batch:TerminateJob', job)).toBe(true);
    expect(allows(build.role, 'batch:DescribeJobs', '*')).toBe(true);
    // Only the build machine runs jobs.
    for (const other of machines.filter((m) => m !== build)) expect(allows(other.role, 'batch:TerminateJob', job), other.name).toBe(false);
  });

  it('gives every state machine what tracing and log delivery need', () => {
    for (const machine of machines)
      for (const [need, { actions }] of Object.entries(STATE_MACHINE_PERMISSIONS))
        for (const action of actions) expect(allows(machine.role, action, '*'), `${machine.name} ${need}: ${action}`).toBe(true);
  });
});
