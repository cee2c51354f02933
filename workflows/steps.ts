import { Duration, Stack, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PROJECT_STACK_NAME, type PipelineResources } from './pipeline-resources.js';
import { DEPLOYMENT_PREFIX, META, PROJECT_PREFIX } from '../handlers/lib/table/keys.js';
import type { Operation } from '../handlers/lib/ticket.js';

const S = tasks.DynamoAttributeValue.fromString;

/** Key of the item a step records into: a project or one of its deployments (the keys of handlers/lib/table/keys.ts, in ASL). */
export function projectKey(): Record<string, tasks.DynamoAttributeValue> {
  return { pk: S(sfn.JsonPath.format(`${PROJECT_PREFIX}{}`, sfn.JsonPath.stringAt('$.project'))), sk: S(META) };
}

export function deploymentKey(): Record<string, tasks.DynamoAttributeValue> {
  return {
    pk: S(sfn.JsonPath.format(`${PROJECT_PREFIX}{}`, sfn.JsonPath.stringAt('$.project'))),
    sk: S(sfn.JsonPath.format(`${DEPLOYMENT_PREFIX}{}`, sfn.JsonPath.stringAt('$.deploymentId'))),
  };
}

/**
 * The payload of a pipeline step: the whole state, and the execution's name from the context object
 * (not from the state, which the execution's input wrote), so the handler can refuse a ticket issued
 * for another execution (handlers/pipeline/state.ts `openState`). `extra` adds constant fields.
 */
export function stepPayload(extra: Record<string, unknown> = {}): sfn.TaskInput {
  return sfn.TaskInput.fromObject({
    ...extra,
    state: sfn.JsonPath.entirePayload,
    executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
  });
}

/** A Lambda step: the function gets the state and the execution's name (`stepPayload`) unless given another payload, verifies the ticket itself, and its result lands at `resultPath`. */
export function lambdaStep(
  scope: Construct,
  id: string,
  fn: PipelineResources['functions'][keyof PipelineResources['functions']],
  resultPath: string | undefined,
  payload: sfn.TaskInput = stepPayload(),
): tasks.LambdaInvoke {
  return new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload,
    payloadResponseOnly: true,
    resultPath: resultPath ?? sfn.JsonPath.DISCARD,
    retryOnServiceExceptions: true,
    taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
  });
}

/**
 * Turns a step's failure into a recorded one: the step's Catch goes to a Pass that names
 * the state, then to `recorder`, which summarises the cause, writes the record and ends in a Fail.
 * The caught error lands at `$.failure` and the Pass replaces it there, so the raw cause (for a
 * Batch job its whole description) is not carried on in the state.
 */
export function catchInto(scope: Construct, step: sfn.TaskStateBase, recorder: sfn.IChainable): void {
  const stateName = step.id;
  const named = new sfn.Pass(scope, `${stateName} failed`, {
    parameters: {
      state: stateName,
      'error.$': '$.failure.Error',
      'cause.$': '$.failure.Cause',
    },
    resultPath: '$.failure',
  });
  named.next(recorder);
  step.addCatch(named, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
}

/** What a failure is recorded with when its cause could not be summarised: nothing of the raw cause. */
export const UNSUMMARISED_CAUSE = 'the failure could not be summarised; its details are in the execution history (operators only)';

/**
 * Summarises `$.failure` (handlers/pipeline/summarise-failure.ts), writes the FAILED record of
 * `key` (with the failing state, its error and the summarised cause), then fails the execution
 * with the same summary; `beforeFail` may put steps between the two (e.g. reporting to GitHub),
 * given the Fail. If summarising fails, the record gets a generic cause: a deployment never stays
 * unrecorded, and the raw cause is never what gets recorded.
 */
export function recordFailure(
  scope: Construct,
  resources: PipelineResources,
  key: Record<string, tasks.DynamoAttributeValue>,
  beforeFail?: (fail: sfn.Fail) => sfn.IChainable,
): sfn.IChainable {
  const summarise = lambdaStep(
    scope,
    'Summarise failure',
    resources.functions.summariseFailure,
    '$.failure',
    sfn.TaskInput.fromObject({ failure: sfn.JsonPath.objectAt('$.failure') }),
  );
  const generic = new sfn.Pass(scope, 'Failure not summarised', {
    parameters: { 'state.$': '$.failure.state', error: 'Slipway.FailureNotSummarised', cause: UNSUMMARISED_CAUSE },
    resultPath: '$.failure',
  });
  summarise.addCatch(generic, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
  const record = new tasks.DynamoUpdateItem(scope, 'Record failure', {
    table: resources.table,
    key,
    updateExpression: 'SET #status = :status, failedState = :state, #error = :error, cause = :cause',
    expressionAttributeNames: { '#status': 'status', '#error': 'error' },
    expressionAttributeValues: {
      ':status': S('FAILED'),
      ':state': S(sfn.JsonPath.stringAt('$.failure.state')),
      ':error': S(sfn.JsonPath.stringAt('$.failure.error')),
      ':cause': S(sfn.JsonPath.stringAt('$.failure.cause')),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  record.addRetry({ errors: ['DynamoDB.InternalServerErrorException', 'DynamoDB.ProvisionedThroughputExceededException'], maxAttempts: 3 });
  const fail = new sfn.Fail(scope, 'Failed', { errorPath: '$.failure.error', causePath: '$.failure.cause' });
  generic.next(record);
  summarise.next(record);
  record.next(beforeFail ? beforeFail(fail) : fail);
  return summarise;
}

/** Ticket failures end the execution without writing anything: an unverified request records nothing. */
export function ticketRefused(scope: Construct): sfn.Fail {
  return new sfn.Fail(scope, 'Ticket refused', { errorPath: '$.caught.Error', causePath: '$.caught.Cause' });
}

/**
 * The first step of every workflow. The expected operation is a constant of the definition, and
 * the execution name comes from the context object, so a ticket only opens the execution it was
 * issued for.
 */
export function verifyTicketStep(scope: Construct, resources: PipelineResources, operation: Operation): tasks.LambdaInvoke {
  const payload = sfn.TaskInput.fromObject({
    ticket: sfn.JsonPath.stringAt('$.ticket'),
    project: sfn.JsonPath.stringAt('$.project'),
    operation,
    executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
  });
  const verify = lambdaStep(scope, 'Verify ticket', resources.functions.verifyTicket, '$.claims', payload);
  verify.addCatch(ticketRefused(scope), { errors: [sfn.Errors.ALL], resultPath: '$.caught' });
  return verify;
}

export function setStatus(
  scope: Construct,
  id: string,
  resources: PipelineResources,
  key: Record<string, tasks.DynamoAttributeValue>,
  status: string,
): tasks.DynamoUpdateItem {
  return new tasks.DynamoUpdateItem(scope, id, {
    table: resources.table,
    key,
    updateExpression: 'SET #status = :status, executionName = :exe',
    expressionAttributeNames: { '#status': 'status' },
    expressionAttributeValues: {
      ':status': S(status),
      ':exe': S(sfn.JsonPath.stringAt('$$.Execution.Name')),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
}

/** What every Slipway state machine shares: standard type, X-Ray tracing, logging without execution data. */
export function stateMachineOptions(
  resources: PipelineResources,
): Pick<sfn.StateMachineProps, 'stateMachineType' | 'tracingEnabled' | 'logs'> {
  return {
    stateMachineType: sfn.StateMachineType.STANDARD,
    tracingEnabled: true,
    // Execution data carries the ticket and, for one state, build credentials: keep it out of logs.
    logs: resources.stateMachineLogs
      ? { destination: resources.stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false }
      : undefined,
  };
}

/**
 * CloudFormation's create/update calls return as soon as the change starts; this polls the
 * project stack until it settles, so the next step (e.g. Release) only runs against a finished
 * stack. A stack that ends in any other state becomes a recorded failure of `stepName`.
 */
export function awaitProjectStack(
  scope: Construct,
  stepName: string,
  stackName: string,
  complete: string,
  recorder: sfn.IChainable,
  /**
   * Also keep the described stack at `$.stack.described` (Release reads the published version in
   * the Outputs there; a stack without outputs has no Outputs field, so the
   * whole description is kept rather than a path that may not exist).
   */
  withOutputs = false,
): { start: sfn.IChainable; done: sfn.Pass } {
  const wait = new sfn.Wait(scope, `Wait for ${stepName}`, { time: sfn.WaitTime.duration(Duration.seconds(5)) });
  const describe = new tasks.CallAwsService(scope, `Check ${stepName}`, {
    service: 'cloudformation',
    action: 'describeStacks',
    parameters: { StackName: sfn.JsonPath.stringAt(stackName) },
    iamResources: [Stack.of(scope).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'slipway-project-*' })],
    resultSelector: { 'status.$': '$.Stacks[0].StackStatus', ...(withOutputs ? { 'described.$': '$.Stacks[0]' } : {}) },
    resultPath: '$.stack',
  });
  describe.addRetry({
    errors: ['CloudFormation.CloudFormationException', 'CloudFormation.Throttling'],
    maxAttempts: 5,
    interval: Duration.seconds(5),
    backoffRate: 2,
  });
  catchInto(scope, describe, recorder);
  const failed = new sfn.Pass(scope, `${stepName} ended badly`, {
    parameters: {
      state: stepName,
      error: 'CloudFormation.StackFailed',
      cause: sfn.JsonPath.format('the project stack ended in {}', sfn.JsonPath.stringAt('$.stack.status')),
    },
    resultPath: '$.failure',
  });
  failed.next(recorder);
  const done = new sfn.Pass(scope, `${stepName} complete`);
  const settled = new sfn.Choice(scope, `${stepName} settled?`)
    .when(sfn.Condition.stringEquals('$.stack.status', complete), done)
    .when(sfn.Condition.stringMatches('$.stack.status', '*_IN_PROGRESS'), wait)
    .otherwise(failed);
  wait.next(describe);
  describe.next(settled);
  return { start: wait, done };
}

/**
 * Points the project's stack at `$.deploymentId`: its code and a new, retained version, named by
 * the stack's DeploymentVersion output (infra/aws/projects/project-stack.ts). Nothing invokes that
 * version until Release writes it into a pointer, so the update never changes what a request sees
 * (deploy, preview and rollback alike).
 */
export function updateProjectStack(scope: Construct, resources: PipelineResources): tasks.CallAwsService {
  const update = new tasks.CallAwsService(scope, 'Update project stack', {
    service: 'cloudformation',
    action: 'updateStack',
    parameters: {
      StackName: sfn.JsonPath.stringAt(PROJECT_STACK_NAME),
      UsePreviousTemplate: true,
      RoleARN: resources.tenantStackRoleArn,
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [
        { ParameterKey: 'Project', UsePreviousValue: true },
        { ParameterKey: 'DeploymentId', ParameterValue: sfn.JsonPath.stringAt('$.deploymentId') },
        // The subscription's function limits, from the verified ticket (Verify ticket's result).
        { ParameterKey: 'MemorySize', ParameterValue: sfn.JsonPath.stringAt('$.claims.stack.memorySize') },
        { ParameterKey: 'FunctionTimeout', ParameterValue: sfn.JsonPath.stringAt('$.claims.stack.functionTimeout') },
      ],
    },
    iamResources: [Stack.of(scope).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'slipway-project-*' })],
    resultPath: sfn.JsonPath.DISCARD,
  });
  update.addRetry({ errors: ['CloudFormation.CloudFormationException'], maxAttempts: 3, interval: Duration.seconds(5), backoffRate: 2 });
  return update;
}
