import { aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PROJECT_STACK_NAME, type PipelineResources } from './pipeline-resources.js';
import {
  awaitProjectStack,
  catchInto,
  lambdaStep,
  projectKey,
  recordFailure,
  verifyTicketStep,
  stateMachineOptions,
  updateProjectStack,
} from './steps.js';

const S = tasks.DynamoAttributeValue.fromString;

/**
 * Make an earlier deployment live again: verify ticket → check the target (it went live once and
 * its files are still promoted) → point the project stack at it (publishing a version of its
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
    const failed = recordFailure(this, resources, key);

    const check = lambdaStep(this, 'Check target', resources.functions.checkRollbackTarget, '$.target');

    const updateStack = updateProjectStack(this, resources);

    const release = lambdaStep(this, 'Release', resources.functions.release, '$.release');
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
    for (const step of [check, updateStack, release, record]) catchInto(this, step, failed);

    const updated = awaitProjectStack(this, 'Project stack update', PROJECT_STACK_NAME, 'UPDATE_COMPLETE', failed, true);
    const definition = verifyTicketStep(this, resources, 'rollback').next(check).next(updateStack).next(updated.start);
    updated.done.next(release).next(record).next(new sfn.Succeed(this, 'Rolled back'));

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: 'slipway-rollback',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      ...stateMachineOptions(resources),
    });
  }
}
