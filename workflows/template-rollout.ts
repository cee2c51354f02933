import { Fn, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TEMPLATE_VERSION_TAG } from '../infra/aws/projects/project-stack.js';
import { acknowledge, nagResource } from '../infra/aws/shared/nag.js';
import { stageName } from '../handlers/lib/stage.js';
import { stageOf } from '../infra/aws/shared/stage.js';
import { projectStackNamePath, type PipelineResources } from './pipeline-resources.js';
import {
  STACK_DOES_NOT_EXIST,
  STACK_TURN_HELD,
  catchInto,
  findProjectStack,
  giveStackTurn,
  lambdaStep,
  stackTurnSteps,
  stateMachineOptions,
  updateProjectStack,
} from './steps.js';

/** How many project stacks the rollout updates at once: few, so CloudFormation's and Lambda's rates stay far off. */
export const ROLLOUT_CONCURRENCY = 4;

/** What the rollout's stack-turn requests name themselves by (handlers/pipeline/stack-turn.ts): it holds no ticket. */
const ROLLOUT_TURN = { operation: 'template-rollout' } as const;

/** Every Lambda step is told its execution's name from the context object (its logs name it). */
const EXECUTION_NAME = sfn.JsonPath.stringAt('$$.Execution.Name');

/**
 * Rolls the platform's current per-project template out to every existing tenant stack, after a
 * platform update (or when an operator starts it): list projects → for each, ROLLOUT_CONCURRENCY
 * at a time: find its stack → plan (skip a stack already tagged with the current version) → take
 * the project's stack turn (a rollout never races a deploy) → update the stack to the current
 * template with every parameter as it is (UsePreviousValue: what the tenant serves does not
 * change, and a template change alone publishes no version) → give the turn back. A project's
 * failure is caught in its own iteration; the execution's output reports the upgraded, skipped and
 * failed projects (the latter with the failing state, error and cause). Execution input: {}.
 */
export class TemplateRolloutWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, resources: PipelineResources) {
    super(scope, id);
    const rollout = resources.functions.templateRollout;
    const version = resources.projectStackTemplateVersion;

    const list = lambdaStep(
      this,
      'List projects',
      rollout,
      '$.listed',
      sfn.TaskInput.fromObject({ action: 'list', executionName: EXECUTION_NAME }),
    );

    // One project's iteration: its outcome is the iteration's output.
    const outcome = (stateId: string, value: 'upgraded' | 'skipped', reason?: string) =>
      new sfn.Pass(this, stateId, {
        parameters: { 'project.$': '$.project', outcome: value, ...(reason ? { reason } : {}) },
      });
    const failedOutcome = new sfn.Pass(this, 'Stack upgrade failed', {
      parameters: {
        'project.$': '$.project',
        outcome: 'failed',
        'state.$': '$.failure.state',
        'error.$': '$.failure.error',
        'cause.$': '$.failure.cause',
      },
    });
    // Whatever failed, the turn goes back (a no-op when this execution does not hold it).
    const failed = giveStackTurn(this, 'Give project stack turn after failure', resources, failedOutcome, ROLLOUT_TURN);

    const find = findProjectStack(this, projectStackNamePath(this), failed);
    // A project whose init never made a stack has nothing to upgrade: its next init creates it from the current template.
    find.missing.when(STACK_DOES_NOT_EXIST, outcome('No project stack', 'skipped', 'the project has no stack'));
    const plan = lambdaStep(
      this,
      'Plan stack upgrade',
      rollout,
      '$.plan',
      sfn.TaskInput.fromObject({
        action: 'plan',
        executionName: EXECUTION_NAME,
        templateVersion: version,
        versionTag: TEMPLATE_VERSION_TAG,
        stack: sfn.JsonPath.objectAt('$.stack.described'),
      }),
    );
    catchInto(this, plan, failed);
    const turn = stackTurnSteps(this, resources, failed, ROLLOUT_TURN);
    const behind = new sfn.Choice(this, 'Stack behind?')
      .when(sfn.Condition.booleanEquals('$.plan.upToDate', true), outcome('Stack up to date', 'skipped'))
      .otherwise(turn.take);
    const update = updateProjectStack(this, resources, failed, sfn.JsonPath.listAt('$.plan.parameters'));
    turn.taken.when(STACK_TURN_HELD, update.start);
    update.done.next(turn.give(outcome('Stack upgraded', 'upgraded')));
    find.start.next(plan).next(behind);

    // Distributed: each project runs as a child execution with its own history, so the rollout's
    // own history (at most 25,000 events, some hundred per upgraded stack) never bounds the fleet.
    const each = new sfn.DistributedMap(this, 'Upgrade project stacks', {
      mapExecutionType: sfn.StateMachineType.STANDARD,
      itemsPath: '$.listed.projects',
      maxConcurrency: ROLLOUT_CONCURRENCY,
      itemSelector: { 'project.$': '$$.Map.Item.Value' },
      resultPath: '$.results',
    });
    each.itemProcessor(find.start);

    const report = lambdaStep(
      this,
      'Report rollout',
      rollout,
      '$.report',
      sfn.TaskInput.fromObject({
        action: 'report',
        executionName: EXECUTION_NAME,
        templateVersion: version,
        results: sfn.JsonPath.listAt('$.results'),
      }),
    );
    const definition = list
      .next(each)
      .next(report)
      .next(new sfn.Succeed(this, 'Rolled out', { outputPath: '$.report' }));
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: stageName(stageOf(this), 'template-rollout'),
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      ...stateMachineOptions(resources),
    });
    // CDK's grant for the distributed Map: start, describe and stop this machine's own child executions.
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${nagResource(
      this,
      Fn.select(6, Fn.split(':', this.stateMachine.stateMachineArn)),
    )}`;
    const reason =
      'The distributed Map runs each project as a child execution of this state machine: the names are only known at run time.';
    acknowledge(this.stateMachine, {
      [`AwsSolutions-IAM5[Resource::${executions}:*]`]: reason,
      [`AwsSolutions-IAM5[Resource::${executions}/*:*]`]: reason,
    });
  }
}
