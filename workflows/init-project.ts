import { Stack, Duration, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PROJECT_STACK_NAME, type PipelineResources } from './pipeline-resources.js';
import { awaitProjectStack, catchInto, projectKey, recordFailure, setStatus, verifyTicketStep, stateMachineOptions } from './steps.js';

/**
 * Create a project's own infrastructure: verify ticket → create the project stack (its
 * function, alias, log group) → record READY. Execution input: { ticket, project }.
 */
export class InitProjectWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, resources: PipelineResources) {
    super(scope, id);
    const key = projectKey();
    const failed = recordFailure(this, resources, key);

    const createStack = new tasks.CallAwsService(this, 'Create project stack', {
      service: 'cloudformation',
      action: 'createStack',
      parameters: {
        StackName: sfn.JsonPath.stringAt(PROJECT_STACK_NAME),
        TemplateURL: resources.projectStackTemplateUrl,
        RoleARN: resources.tenantStackRoleArn,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [
          { ParameterKey: 'Project', ParameterValue: sfn.JsonPath.stringAt('$.project') },
          { ParameterKey: 'DeploymentId', ParameterValue: 'none' },
        ],
      },
      iamResources: [Stack.of(this).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'slipway-project-*' })],
      resultPath: sfn.JsonPath.DISCARD,
    });
    createStack.addRetry({
      errors: ['CloudFormation.CloudFormationException'],
      maxAttempts: 3,
      interval: Duration.seconds(5),
      backoffRate: 2,
    });
    const ready = setStatus(this, 'Record ready', resources, key, 'READY');
    catchInto(this, createStack, failed);
    catchInto(this, ready, failed);
    const created = awaitProjectStack(this, 'Project stack creation', PROJECT_STACK_NAME, 'CREATE_COMPLETE', failed);
    created.done.next(ready).next(new sfn.Succeed(this, 'Ready'));

    const definition = verifyTicketStep(this, resources, 'init-project').next(createStack).next(created.start);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: 'slipway-init-project',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      ...stateMachineOptions(resources),
    });
  }
}
