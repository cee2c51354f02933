import { aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { PipelineResources } from './pipeline-resources.js';
import {
  catchInto,
  lambdaStep,
  projectKey,
  recordFailure,
  STACK_TURN_HELD,
  giveStackTurn,
  stackTurnSteps,
  stepPayload,
  verifyTicketStep,
  stateMachineOptions,
  updateProjectStack,
} from './steps.js';
import { stageName } from '../handlers/lib/stage.js';
import { stageOf } from '../infra/aws/shared/stage.js';

const S = tasks.DynamoAttributeValue.fromString;

/**
 * Make an earlier deployment live again: verify ticket → check the target (it went live once and
 * its files are still promoted) → take the project stack's turn → point the project stack at it (publishing a version of its
 * code) → release (route cache + live pointer `{target}@{version}`) → record the rollback. No rebuild and no CDN invalidation: the target's
 * files never moved, only the pointer does. A failure records FAILED on the project (the
 * deployments are untouched), and the live pointer only moves in Release.
 *
 * Execution input: { ticket, project, deploymentId } — deploymentId is the target.
 */
export class RollbackWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, resources: PipelineResources) {
    super(scope, id);
    const key = projectKey();
    const failed = recordFailure(this, resources, key, (fail) =>
      giveStackTurn(this, 'Give project stack turn after failure', resources, fail),
    );

    const check = lambdaStep(this, 'Check target', resources.functions.checkRollbackTarget, '$.target');

    const updateStack = updateProjectStack(this, resources, failed);

    const turn = stackTurnSteps(this, resources, failed);
    const release = lambdaStep(
      this,
      'Release',
      resources.functions.release,
      '$.release',
      stepPayload({ requestedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime') }),
    );
    const record = new tasks.DynamoUpdateItem(this, 'Record rollback', {
      table: resources.table,
      key,
      updateExpression: 'SET lastRollbackAt = :at, rolledBackTo = :to',
      expressionAttributeValues: {
        ':at': S(sfn.JsonPath.stringAt('$$.Execution.StartTime')),
        ':to': S(sfn.JsonPath.stringAt('$.deploymentId')),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    for (const step of [check, release, record]) catchInto(this, step, failed);

    const definition = verifyTicketStep(this, resources, 'rollback').next(check).next(turn.take);
    turn.taken.when(STACK_TURN_HELD, updateStack.start);
    // A newer request (a push or another rollback) moved the live pointer first: nothing to record.
    const newest = new sfn.Choice(this, 'Superseded?')
      .when(sfn.Condition.booleanEquals('$.release.superseded', true), new sfn.Succeed(this, 'Superseded'))
      .otherwise(record);
    updateStack.done.next(release).next(turn.give(newest));
    record.next(new sfn.Succeed(this, 'Rolled back'));

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: stageName(stageOf(this), 'rollback'),
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      ...stateMachineOptions(resources),
    });
  }
}
