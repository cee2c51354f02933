import { Duration, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { projectStackNamePath, projectStackArns, type PipelineResources } from './pipeline-resources.js';
import {
  STACK_DOES_NOT_EXIST,
  awaitProjectStack,
  catchInto,
  findProjectStack,
  lambdaStep,
  projectKey,
  recordFailure,
  setStatus,
  verifyTicketStep,
  stateMachineOptions,
} from './steps.js';
import { stageName } from '../handlers/lib/stage.js';
import { stageOf } from '../infra/aws/shared/stage.js';

/**
 * Remove a project: verify ticket → record DELETING → find its stack → delete it and wait for
 * DELETE_COMPLETE → delete its objects, route-cache entries and records. A stack whose deletion
 * fails (DELETE_FAILED) fails the execution naming CloudFormation's reason, before any data is
 * deleted, so deleting again retries it; a project without a stack (its init failed before
 * CloudFormation made one) goes straight to its data. Execution input: { ticket, project }.
 */
export class DeleteProjectWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, resources: PipelineResources) {
    super(scope, id);
    const key = projectKey();
    const failed = recordFailure(this, resources, key);

    const deleting = setStatus(this, 'Record deleting', resources, key, 'DELETING');
    // By its id: once deleted, the stack's name describes nothing, its id describes DELETE_COMPLETE.
    const deleteStack = new tasks.CallAwsService(this, 'Delete project stack', {
      service: 'cloudformation',
      action: 'deleteStack',
      parameters: { StackName: sfn.JsonPath.stringAt('$.stack.id'), RoleARN: resources.tenantStackRoleArn },
      iamResources: projectStackArns(this),
      resultPath: sfn.JsonPath.DISCARD,
    });
    deleteStack.addRetry({
      errors: ['CloudFormation.CloudFormationException'],
      maxAttempts: 3,
      interval: Duration.seconds(5),
      backoffRate: 2,
    });
    const deleteData = lambdaStep(this, 'Delete project data', resources.functions.deleteProjectData, sfn.JsonPath.DISCARD);
    for (const step of [deleting, deleteStack, deleteData]) catchInto(this, step, failed);

    const find = findProjectStack(this, projectStackNamePath(this), failed);
    find.missing.when(STACK_DOES_NOT_EXIST, deleteData);
    find.start.next(deleteStack);
    const removed = awaitProjectStack(this, 'Project stack deletion', '$.stack.id', 'DELETE_COMPLETE', failed);
    deleteStack.next(removed.start);
    removed.done.next(deleteData);
    deleteData.next(new sfn.Succeed(this, 'Deleted'));

    const definition = verifyTicketStep(this, resources, 'delete-project').next(deleting).next(find.start);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: stageName(stageOf(this), 'delete-project'),
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      ...stateMachineOptions(resources),
    });
  }
}
