import { Duration, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { projectStackNamePath, projectStackArns, type PipelineResources } from './pipeline-resources.js';
import {
  STACK_DOES_NOT_EXIST,
  awaitProjectStack,
  catchInto,
  currentProjectTemplate,
  findProjectStack,
  tagProjectStacks,
  projectKey,
  recordFailure,
  setStatus,
  verifyTicketStep,
  stateMachineOptions,
} from './steps.js';
import { stageName } from '../handlers/lib/stage.js';
import { stageOf } from '../infra/aws/shared/stage.js';

/** Stack states a created project stack can be in and still take updates: init has nothing to do. */
const USABLE = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

/**
 * Create a project's own infrastructure: verify ticket → find the project stack → create it (its
 * function's log group and role; the function comes with the first deployment) → record READY.
 * A stack a failed creation left in ROLLBACK_COMPLETE (CloudFormation can neither update it nor
 * create another of its name) is deleted first; a stack that already works is kept, so init can
 * run again. Execution input: { ticket, project }.
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
        StackName: sfn.JsonPath.stringAt(projectStackNamePath(this)),
        ...currentProjectTemplate(resources),
        RoleARN: resources.tenantStackRoleArn,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: [
          { ParameterKey: 'Project', ParameterValue: sfn.JsonPath.stringAt('$.project') },
          { ParameterKey: 'DeploymentId', ParameterValue: 'none' },
          // The owner's function limits from the start (the verified ticket's), as every update passes them.
          { ParameterKey: 'MemorySize', ParameterValue: sfn.JsonPath.stringAt('$.claims.stack.memorySize') },
          { ParameterKey: 'FunctionTimeout', ParameterValue: sfn.JsonPath.stringAt('$.claims.stack.functionTimeout') },
        ],
      },
      iamResources: projectStackArns(this),
      additionalIamStatements: [tagProjectStacks(this)],
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
    const created = awaitProjectStack(this, 'Project stack creation', projectStackNamePath(this), 'CREATE_COMPLETE', failed);
    createStack.next(created.start);
    created.done.next(ready).next(new sfn.Succeed(this, 'Ready'));

    // By its id: once deleted, the stack's name describes nothing, its id describes DELETE_COMPLETE.
    const deleteFailed = new tasks.CallAwsService(this, 'Delete rolled-back project stack', {
      service: 'cloudformation',
      action: 'deleteStack',
      // A ROLLBACK_COMPLETE stack was made with the service role: its deletion needs it too.
      parameters: { StackName: sfn.JsonPath.stringAt('$.stack.id'), RoleARN: resources.tenantStackRoleArn },
      iamResources: projectStackArns(this),
      resultPath: sfn.JsonPath.DISCARD,
    });
    catchInto(this, deleteFailed, failed);
    const deleted = awaitProjectStack(this, 'Rolled-back stack deletion', '$.stack.id', 'DELETE_COMPLETE', failed);
    deleteFailed.next(deleted.start);
    deleted.done.next(createStack);

    const unusable = new sfn.Pass(this, 'Project stack unusable', {
      parameters: {
        state: 'Find project stack',
        error: 'CloudFormation.StackUnusable',
        cause: sfn.JsonPath.format(
          'the project stack is in {}: it can neither be used nor created again until an operator resolves it',
          sfn.JsonPath.stringAt('$.stack.status'),
        ),
      },
      resultPath: '$.failure',
    });
    unusable.next(failed);
    const find = findProjectStack(this, projectStackNamePath(this), failed);
    find.missing.when(STACK_DOES_NOT_EXIST, createStack);
    const found = new sfn.Choice(this, 'Project stack usable?')
      .when(sfn.Condition.or(...USABLE.map((status) => sfn.Condition.stringEquals('$.stack.status', status))), ready)
      .when(sfn.Condition.stringEquals('$.stack.status', 'ROLLBACK_COMPLETE'), deleteFailed)
      .otherwise(unusable);
    find.start.next(found);

    const definition = verifyTicketStep(this, resources, 'init-project').next(find.start);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: stageName(stageOf(this), 'init-project'),
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      ...stateMachineOptions(resources),
    });
  }
}
