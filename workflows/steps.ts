import { Duration, aws_iam as iam, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { TEMPLATE_VERSION_TAG } from '../infra/aws/projects/project-stack.js';
import type { Construct } from 'constructs';
import { projectStackNamePath, projectStackArns, type PipelineResources } from './pipeline-resources.js';
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

/** Seconds between two DescribeStacks polls of a settling project stack. */
export const STACK_POLL_SECONDS = 5;
/** Polls before a settling project stack counts as stuck: 15 minutes, far beyond a function stack's usual minute. */
export const STACK_POLL_LIMIT = 180;

/**
 * What every create and update of a project stack carries: the platform's current per-project
 * template, and its version as a stack tag (TEMPLATE_VERSION_TAG), which tells an upgraded stack
 * from one still behind.
 */
export function currentProjectTemplate(resources: PipelineResources): { TemplateURL: string; Tags: Array<{ Key: string; Value: string }> } {
  return {
    TemplateURL: resources.projectStackTemplateUrl,
    Tags: [{ Key: TEMPLATE_VERSION_TAG, Value: resources.projectStackTemplateVersion }],
  };
}

/** Tagging a stack on create/update is authorized as cloudformation:TagResource on the stack. */
export function tagProjectStacks(scope: Construct): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: ['cloudformation:TagResource'], resources: projectStackArns(scope) });
}

/**
 * DescribeStacks of a project stack into `$.stack`: `status`, `id` (the stack id, which still
 * describes a deleted stack as DELETE_COMPLETE, where its name no longer describes anything) and the
 * whole description at `described` (Release reads the published version in its Outputs; a stack
 * without outputs has no Outputs field, so the whole description is kept rather than a path that
 * may not exist).
 */
function describeProjectStack(scope: Construct, id: string, stackName: string): tasks.CallAwsService {
  return new tasks.CallAwsService(scope, id, {
    service: 'cloudformation',
    action: 'describeStacks',
    parameters: { StackName: sfn.JsonPath.stringAt(stackName) },
    iamResources: projectStackArns(scope),
    resultSelector: { 'status.$': '$.Stacks[0].StackStatus', 'id.$': '$.Stacks[0].StackId', 'described.$': '$.Stacks[0]' },
    resultPath: '$.stack',
  });
}

/** A Pass that puts a failure of `state` at `$.failure` (what the recorder summarises) and goes on to `recorder`. */
function stackFailure(scope: Construct, id: string, state: string, error: string, cause: string, recorder: sfn.IChainable): sfn.Pass {
  const pass = new sfn.Pass(scope, id, { parameters: { state, error, cause }, resultPath: '$.failure' });
  pass.next(recorder);
  return pass;
}

/**
 * Looks the project stack up before acting on it (init, delete): `start`'s next state gets the
 * stack at `$.stack`, `missing` the state unchanged when CloudFormation says the stack does not
 * exist (its ValidationError "Stack with id … does not exist": matched on the cause, since the error
 * name of an unmodeled CloudFormation error is not one to rely on); any other error is a failure.
 */
export function findProjectStack(
  scope: Construct,
  stackName: string,
  recorder: sfn.IChainable,
): { start: sfn.TaskStateBase; missing: sfn.Choice } {
  const find = describeProjectStack(scope, 'Find project stack', stackName);
  const missing = new sfn.Choice(scope, 'Project stack exists?');
  find.addCatch(missing, { errors: [sfn.Errors.ALL], resultPath: '$.stackRefusal' });
  missing.otherwise(namedFailure(scope, 'Find project stack', '$.stackRefusal', recorder));
  return { start: find, missing };
}

/** The condition under which `findProjectStack`'s `missing` choice means the stack does not exist. */
export const STACK_DOES_NOT_EXIST = sfn.Condition.stringMatches('$.stackRefusal.Cause', '*does not exist*');

/**
 * CloudFormation's create/update/delete calls return as soon as the change starts; this polls the
 * project stack (named at `stackName`, a path) every STACK_POLL_SECONDS until it settles, at most
 * STACK_POLL_LIMIT times, so the next step (e.g. Release) only runs against a finished stack. A stack
 * that ends in any other state than `complete`, or is still in progress after the last poll, becomes
 * a recorded failure of `stepName` that names the status and CloudFormation's reason.
 */
export function awaitProjectStack(
  scope: Construct,
  stepName: string,
  stackName: string,
  complete: string,
  recorder: sfn.IChainable,
): { start: sfn.IChainable; done: sfn.Pass } {
  const begin = new sfn.Pass(scope, `Start ${stepName} polls`, { result: sfn.Result.fromObject({ n: 0 }), resultPath: '$.stackPolls' });
  const wait = new sfn.Wait(scope, `Wait for ${stepName}`, { time: sfn.WaitTime.duration(Duration.seconds(STACK_POLL_SECONDS)) });
  const describe = describeProjectStack(scope, `Check ${stepName}`, stackName);
  describe.addRetry({
    errors: ['CloudFormation.CloudFormationException', 'CloudFormation.Throttling'],
    maxAttempts: 5,
    interval: Duration.seconds(5),
    backoffRate: 2,
  });
  catchInto(scope, describe, recorder);
  const count = new sfn.Pass(scope, `Count ${stepName} polls`, {
    parameters: { 'n.$': 'States.MathAdd($.stackPolls.n, 1)' },
    resultPath: '$.stackPolls',
  });
  const ended = (why: string) => sfn.JsonPath.format(`the project stack ${why} {}`, sfn.JsonPath.stringAt('$.stack.status'));
  const failedWithReason = new sfn.Pass(scope, `${stepName} ended badly`, {
    parameters: {
      state: stepName,
      error: 'CloudFormation.StackFailed',
      cause: sfn.JsonPath.format(
        'the project stack ended in {}: {}',
        sfn.JsonPath.stringAt('$.stack.status'),
        sfn.JsonPath.stringAt('$.stack.described.StackStatusReason'),
      ),
    },
    resultPath: '$.failure',
  });
  failedWithReason.next(recorder);
  const failed = stackFailure(
    scope,
    `${stepName} ended without a reason`,
    stepName,
    'CloudFormation.StackFailed',
    ended('ended in'),
    recorder,
  );
  const stuck = new sfn.Pass(scope, `${stepName} timed out`, {
    parameters: {
      state: stepName,
      error: 'CloudFormation.StackTimeout',
      cause: sfn.JsonPath.format(
        `the project stack was still {} after ${STACK_POLL_SECONDS * STACK_POLL_LIMIT} s`,
        sfn.JsonPath.stringAt('$.stack.status'),
      ),
    },
    resultPath: '$.failure',
  });
  stuck.next(recorder);
  const done = new sfn.Pass(scope, `${stepName} complete`);
  const settled = new sfn.Choice(scope, `${stepName} settled?`)
    .when(sfn.Condition.stringEquals('$.stack.status', complete), done)
    .when(
      sfn.Condition.and(
        sfn.Condition.stringMatches('$.stack.status', '*_IN_PROGRESS'),
        sfn.Condition.numberLessThan('$.stackPolls.n', STACK_POLL_LIMIT),
      ),
      count,
    )
    .when(sfn.Condition.stringMatches('$.stack.status', '*_IN_PROGRESS'), stuck)
    .when(sfn.Condition.isPresent('$.stack.described.StackStatusReason'), failedWithReason)
    .otherwise(failed);
  // The first look is at once: a change that settled while its call returned (the local stand-in's
  // always do, a no-op update on AWS too) costs no wait; one still in progress then waits between polls.
  begin.next(describe);
  count.next(wait);
  wait.next(describe);
  describe.next(settled);
  return { start: begin, done };
}

/** The state the recorder reads after CloudFormation refused a call: the step's name, the error and its cause. */
function namedFailure(scope: Construct, stateName: string, caughtAt: string, recorder: sfn.IChainable): sfn.Pass {
  const named = new sfn.Pass(scope, `${stateName} failed`, {
    parameters: { state: stateName, 'error.$': `${caughtAt}.Error`, 'cause.$': `${caughtAt}.Cause` },
    resultPath: '$.failure',
  });
  named.next(recorder);
  return named;
}

/**
 * Points the project's stack at `$.deploymentId`: its code, its runtime variables and a new, retained
 * version, named by the stack's DeploymentVersion output (infra/aws/projects/project-stack.ts); the
 * call is the Lambda handlers/pipeline/update-project-stack.ts. Nothing invokes that
 * version until Release writes it into a pointer, so the update never changes what a request sees
 * (deploy, preview and rollback alike). CloudFormation's "No updates are to be performed." (the
 * stack already runs this deployment with these limits: a rollback to what it has) is success: the
 * stack is described as it is, and Release takes the version from there or from the deployment's
 * record. `done` is where the stack is settled with the deployment's version at `$.stack`.
 */
export function updateProjectStack(
  scope: Construct,
  resources: PipelineResources,
  recorder: sfn.IChainable,
  /** The template rollout's Parameters (each kept as it is); unset for a deploy or a rollback, whose Lambda sets them. */
  parameters?: unknown,
): { start: sfn.IChainable; done: sfn.Pass } {
  // A deploy or a rollback: a Lambda, not an SDK task: it decrypts the deployment's runtime variables
  // and hands them to CloudFormation as a NoEcho parameter, so they never pass through this
  // execution's data. The template rollout keeps every parameter as it is (UsePreviousValue: names
  // only, no values), so its call carries nothing secret and stays an SDK task.
  const update =
    parameters === undefined
      ? lambdaStep(
          scope,
          'Update project stack',
          resources.functions.updateProjectStack,
          sfn.JsonPath.DISCARD,
          stepPayload({
            stackCall: { ...currentProjectTemplate(resources), RoleARN: resources.tenantStackRoleArn },
          }),
        )
      : new tasks.CallAwsService(scope, 'Update project stack', {
          service: 'cloudformation',
          action: 'updateStack',
          parameters: {
            StackName: sfn.JsonPath.stringAt(projectStackNamePath(scope)),
            // The current template: upgrading the stack is the point of the rollout.
            ...currentProjectTemplate(resources),
            RoleARN: resources.tenantStackRoleArn,
            Capabilities: ['CAPABILITY_IAM'],
            Parameters: parameters,
          },
          iamResources: projectStackArns(scope),
          additionalIamStatements: [tagProjectStacks(scope)],
          resultPath: sfn.JsonPath.DISCARD,
        });
  if (update instanceof tasks.CallAwsService)
    update.addRetry({ errors: ['CloudFormation.CloudFormationException'], maxAttempts: 3, interval: Duration.seconds(5), backoffRate: 2 });
  const unchanged = describeProjectStack(scope, 'Describe unchanged project stack', projectStackNamePath(scope));
  catchInto(scope, unchanged, recorder);
  // A change this execution did not make is still running (one whose execution was cancelled or
  // lost its turn's lease, or an operator's): wait for it as for our own, within the same bound.
  const begin = new sfn.Pass(scope, 'Start project stack update', { result: sfn.Result.fromObject({ n: 0 }), resultPath: '$.stackBusy' });
  const countBusy = new sfn.Pass(scope, 'Count project stack busy waits', {
    parameters: { 'n.$': 'States.MathAdd($.stackBusy.n, 1)' },
    resultPath: '$.stackBusy',
  });
  const waitBusy = new sfn.Wait(scope, 'Wait for project stack to settle', {
    time: sfn.WaitTime.duration(Duration.seconds(STACK_POLL_SECONDS)),
  });
  // Matched on the messages CloudFormation documents for them: both come as the generic ValidationError.
  const anything = new sfn.Choice(scope, 'Anything to update?')
    .when(sfn.Condition.stringMatches('$.stackRefusal.Cause', '*No updates are to be performed*'), unchanged)
    .when(
      sfn.Condition.and(
        sfn.Condition.stringMatches('$.stackRefusal.Cause', '*_IN_PROGRESS state and can not be updated*'),
        sfn.Condition.numberLessThan('$.stackBusy.n', STACK_POLL_LIMIT),
      ),
      countBusy,
    )
    .otherwise(namedFailure(scope, 'Update project stack', '$.stackRefusal', recorder));
  update.addCatch(anything, { errors: [sfn.Errors.ALL], resultPath: '$.stackRefusal' });
  begin.next(update);
  countBusy.next(waitBusy);
  waitBusy.next(update);
  const updated = awaitProjectStack(scope, 'Project stack update', projectStackNamePath(scope), 'UPDATE_COMPLETE', recorder);
  update.next(updated.start);
  unchanged.next(updated.done);
  return { start: begin, done: updated.done };
}

/**
 * One stack change at a time per project: *Take project stack turn* until it is this execution's
 * (waiting STACK_POLL_SECONDS between asks; handlers/pipeline/stack-turn.ts), then `next` (the stack
 * update). The turn is given back after Release (`give`) and, on a failure, after the failure is
 * recorded (`giveAfterFailure`, for recordFailure's `beforeFail`). Waiting, not queueing: the turn
 * goes to whichever waiter asks first, and Release decides which request is newer.
 */
export function stackTurnSteps(
  scope: Construct,
  resources: PipelineResources,
  recorder: sfn.IChainable,
  /** Constant fields of the turn requests (the template rollout names itself: it has no ticket). */
  extra: Record<string, unknown> = {},
): { take: tasks.LambdaInvoke; taken: sfn.Choice; give: (next: sfn.IChainable) => tasks.LambdaInvoke } {
  const take = lambdaStep(
    scope,
    'Take project stack turn',
    resources.functions.stackTurn,
    '$.stackTurn',
    stepPayload({ ...extra, action: 'take' }),
  );
  catchInto(scope, take, recorder);
  const wait = new sfn.Wait(scope, 'Wait for project stack turn', { time: sfn.WaitTime.duration(Duration.seconds(STACK_POLL_SECONDS)) });
  wait.next(take);
  const taken = new sfn.Choice(scope, 'Project stack turn taken?');
  taken.otherwise(wait);
  take.next(taken);
  return { take, taken, give: (next) => giveStackTurn(scope, 'Give project stack turn', resources, next, extra) };
}

/** Gives the turn back and goes on to `next` whatever happens: a turn not given back only runs out its lease. */
export function giveStackTurn(
  scope: Construct,
  id: string,
  resources: PipelineResources,
  next: sfn.IChainable,
  extra: Record<string, unknown> = {},
): tasks.LambdaInvoke {
  const give = lambdaStep(scope, id, resources.functions.stackTurn, sfn.JsonPath.DISCARD, stepPayload({ ...extra, action: 'give' }));
  give.addCatch(next, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
  give.next(next);
  return give;
}

/** The condition under which `stackTurnSteps`' `taken` choice goes on: this execution holds the turn. */
export const STACK_TURN_HELD = sfn.Condition.booleanEquals('$.stackTurn.held', true);
