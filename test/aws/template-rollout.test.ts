import { beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_VERSION_TAG } from '../../infra/aws/projects/project-stack.js';
import { ROLLOUT_CONCURRENCY } from '../../workflows/template-rollout.js';
import {
  TEST_ACCOUNT,
  TEST_REGION,
  type TemplateResource,
  allows,
  logicalIdOf,
  platformTemplate,
  resolveValue,
  roleStatements,
} from './support/iam-policy.js';

/**
 * The synthesized slipway-template-rollout state machine: a Map over the listed projects with a small
 * MaxConcurrency, each project's failure caught inside its iteration, every stack update with the
 * current template and every parameter kept; its role; and the EventBridge rule that starts it after
 * each update of the platform stack.
 */

type State = {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Parameters?: Record<string, unknown>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Choices?: Array<{ Next: string }>;
  Default?: string;
  ItemsPath?: string;
  MaxConcurrency?: number;
  ItemProcessor?: { StartAt: string; States: Record<string, State>; ProcessorConfig?: Record<string, string> };
};

let resources: Record<string, TemplateResource>;
let definition: { StartAt: string; States: Record<string, State> };
let machineId: string;

beforeAll(() => {
  resources = platformTemplate();
  machineId = Object.keys(resources).find(
    (id) =>
      resources[id]?.Type === 'AWS::StepFunctions::StateMachine' &&
      resources[id]?.Properties?.StateMachineName === 'slipway-template-rollout',
  ) as string;
  definition = JSON.parse(resolveValue(resources[machineId]?.Properties?.DefinitionString, resources));
}, 120_000);

function mapState(): State {
  const maps = Object.values(definition.States).filter((s) => s.Type === 'Map');
  expect(maps).toHaveLength(1);
  return maps[0] as State;
}

/** Every state reachable from `start` by Next, Default, Choices and Catch. */
function reachable(states: Record<string, State>, start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const s = states[name] as State;
    queue.push(
      ...[s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter(
        (n): n is string => !!n,
      ),
    );
  }
  return seen;
}

describe('the slipway-template-rollout state machine', () => {
  it('lists the projects, then upgrades their stacks in one Map state, a few at a time', () => {
    const map = mapState();
    expect(map.ItemsPath).toBe('$.listed.projects');
    expect(map.MaxConcurrency).toBe(ROLLOUT_CONCURRENCY);
    // Each project a child execution: the rollout's own history does not grow with the fleet.
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(ROLLOUT_CONCURRENCY).toBeGreaterThan(1);
    expect(ROLLOUT_CONCURRENCY).toBeLessThanOrEqual(5);
    // No failure leaves the Map: a project's failure ends its own iteration, never the execution.
    expect(map.Catch).toBeUndefined();
    const inner = map.ItemProcessor as { StartAt: string; States: Record<string, State> };
    const ends = Object.entries(inner.States).filter(([, s]) => s.Type === 'Fail');
    expect(ends).toEqual([]);
    // Every Task of an iteration is caught, and every catch leads to the failure outcome, except
    // giving the turn back, which goes on to its next state whatever happens.
    for (const [name, s] of Object.entries(inner.States)) {
      if (s.Type !== 'Task') continue;
      expect(s.Catch?.length, name).toBeGreaterThan(0);
      expect(
        s.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')),
        name,
      ).toBe(true);
      for (const c of s.Catch ?? []) {
        const goesOn = name.startsWith('Give project stack turn') && c.Next === s.Next;
        expect(goesOn || reachable(inner.States, c.Next).has('Stack upgrade failed'), `${name} → ${c.Next}`).toBe(true);
      }
    }
    expect(inner.States['Stack upgrade failed']?.Parameters).toMatchObject({
      'project.$': '$.project',
      outcome: 'failed',
      'state.$': '$.failure.state',
      'error.$': '$.failure.error',
      'cause.$': '$.failure.cause',
    });
    // The stack update goes through the project's stack turn.
    const turn = reachable(inner.States, 'Take project stack turn');
    expect(turn.has('Update project stack')).toBe(true);
    expect(reachable(inner.States, inner.StartAt).has('Update project stack')).toBe(true);
  });

  it('updates each stack to the current template, tagged with its version, keeping every parameter the stack has', () => {
    const inner = mapState().ItemProcessor as { States: Record<string, State> };
    const update = inner.States['Update project stack'] as State;
    expect(update.Resource).toBe('arn:aws:states:::aws-sdk:cloudformation:updateStack');
    const p = update.Parameters as Record<string, unknown>;
    expect(p.UsePreviousTemplate).toBeUndefined();
    expect(p['Parameters.$']).toBe('$.plan.parameters');
    expect(p.TemplateURL).toMatch(/^https:\/\/s3\./);
    const tags = p.Tags as Array<{ Key: string; Value: string }>;
    expect(tags).toEqual([{ Key: TEMPLATE_VERSION_TAG, Value: expect.stringMatching(/^[0-9a-f]{16}$/) }]);
    expect(p.RoleARN).toMatch(/TenantStackRole/);
    // The plan compares the stack's tag with the same version.
    expect((inner.States['Plan stack upgrade'] as State).Parameters).toMatchObject({
      action: 'plan',
      templateVersion: tags[0]?.Value,
      versionTag: TEMPLATE_VERSION_TAG,
      'stack.$': '$.stack.described',
    });
  });

  it('has a role that may describe and update project stacks, pass the tenant stack role to CloudFormation only, and nothing else of CloudFormation', () => {
    const roleArn = resources[machineId]?.Properties?.RoleArn as { 'Fn::GetAtt': [string, string] };
    const roleId = roleArn['Fn::GetAtt'][0];
    const statements = roleStatements(resources, roleId);
    const stack = `arn:aws:cloudformation:${TEST_REGION}:${TEST_ACCOUNT}:stack/slipway-project-demo/0a1b2c3d-1111-2222-3333-444455556666`;
    expect(allows(statements, 'cloudformation:UpdateStack', stack)).toBe(true);
    expect(allows(statements, 'cloudformation:DescribeStacks', stack)).toBe(true);
    expect(allows(statements, 'cloudformation:TagResource', stack)).toBe(true);
    expect(allows(statements, 'cloudformation:DeleteStack', stack)).toBe(false);
    expect(allows(statements, 'cloudformation:CreateStack', stack)).toBe(false);
    const platformStack = `arn:aws:cloudformation:${TEST_REGION}:${TEST_ACCOUNT}:stack/Slipway/0a1b2c3d-1111-2222-3333-444455556666`;
    expect(allows(statements, 'cloudformation:UpdateStack', platformStack)).toBe(false);
    const tenantRole = `<${logicalIdOf(resources, 'AWS::IAM::Role', 'TenantStackRole')}.Arn>`;
    expect(allows(statements, 'iam:PassRole', tenantRole, { 'iam:PassedToService': 'cloudformation.amazonaws.com' })).toBe(true);
    expect(allows(statements, 'iam:PassRole', tenantRole, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe(false);
  });

  it('is started by an EventBridge rule on the platform stack’s own UPDATE_COMPLETE', () => {
    const ruleId = logicalIdOf(resources, 'AWS::Events::Rule', 'TemplateRolloutTrigger');
    const rule = resources[ruleId]?.Properties as {
      EventPattern: Record<string, unknown>;
      Targets: Array<{ Arn: unknown; RoleArn: { 'Fn::GetAtt': [string, string] }; Input: string }>;
    };
    expect(rule.EventPattern).toEqual({
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      detail: { 'stack-id': [{ Ref: 'AWS::StackId' }], 'status-details': { status: ['UPDATE_COMPLETE'] } },
    });
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0]?.Arn).toEqual({ Ref: machineId });
    expect(JSON.parse(rule.Targets[0]?.Input as string)).toEqual({ templateVersion: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const statements = roleStatements(resources, rule.Targets[0]?.RoleArn['Fn::GetAtt'][0] as string);
    const machineArn = `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:slipway-template-rollout`;
    expect(allows(statements, 'states:StartExecution', machineArn)).toBe(true);
    expect(
      allows(statements, 'states:StartExecution', `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:slipway-build-and-deploy`),
    ).toBe(false);
  });
});
