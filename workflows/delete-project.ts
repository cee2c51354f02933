import { Stack, Duration, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PROJECT_STACK_NAME, type PipelineResources } from './pipeline-resources.js';
import { catchInto, lambdaStep, projectKey, recordFailure, setStatus, verifyTicketStep, stateMachineOptions } from './steps.js';

/**
 * Remove a project: verify ticket → record DELETING → delete its stack → delete its objects,
 * route-cache entries and records. Execution input: { ticket, project }.
 */
export class DeleteProjectWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, resources: PipelineResources) {
    super(scope, id);
    const key = projectKey();
    const failed = recordFailure(this, resources, key);

    const deleting = setStatus(this, 'Record deleting', resources, key, 'DELETING');
    const deleteStack = new tasks.CallAwsService(this, 'Delete project stack', {
      service: 'cloudformation',
      action: 'deleteStack',
      parameters: { StackName: sfn.JsonPath.stringAt(PROJECT_STACK_NAME), RoleARN: resources.tenantStackRoleArn },
      iamResources: [Stack.of(this).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'slipway-project-*' })],
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

    const definition = verifyTicketStep(this, resources, 'delete-project')
      .next(deleting)
      .next(deleteStack)
      .next(deleteData)
      .next(new sfn.Succeed(this, 'Deleted'));
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: 'slipway-delete-project',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      ...stateMachineOptions(resources),
    });
  }
}
