import { Duration, Stack, aws_iam as iam, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { PipelineResources } from './pipeline-resources.js';
import {
  catchInto,
  deploymentKey,
  lambdaStep,
  recordFailure,
  setStatus,
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
import { TIMEOUTS, buildStepTimeoutSeconds } from '../infra/aws/shared/timeouts.js';

/**
 * A Batch job step with a state-level TimeoutSeconds and no attempt duration of its own: CDK
 * renders its timeout props as the job's AttemptDurationSeconds, which would override the job
 * definition's, and an engine that applies the ASL default of 60 s to a Task would cut every build short.
 */
class BuildJob extends tasks.BatchSubmitJob {
  constructor(
    scope: Construct,
    id: string,
    private readonly timeoutSeconds: number,
    props: tasks.BatchSubmitJobProps,
  ) {
    super(scope, id, props);
    // CDK grants SubmitJob on every job definition of the account (job-definition/*): narrowed to
    // this stage's build runner (any revision), so one stage can never submit another's.
    const submit = this.taskPolicies?.findIndex((statement) => statement.actions.includes('batch:SubmitJob')) ?? -1;
    if (submit < 0) throw new Error('BatchSubmitJob no longer grants batch:SubmitJob in a statement of its own: review BuildJob');
    const jobDefinitions = Stack.of(this).formatArn({
      service: 'batch',
      resource: 'job-definition',
      resourceName: `${stageName(stageOf(this), 'buildrunner')}:*`,
    });
    this.taskPolicies?.splice(
      submit,
      1,
      new iam.PolicyStatement({ actions: ['batch:SubmitJob'], resources: [jobDefinitions, props.jobQueueArn] }),
    );
  }

  protected override _renderTask(
    ...args: Parameters<tasks.BatchSubmitJob['_renderTask']>
  ): ReturnType<tasks.BatchSubmitJob['_renderTask']> {
    return { ...super._renderTask(...args), TimeoutSeconds: this.timeoutSeconds };
  }
}

/**
 * Build and deploy one version of a project:
 * verify ticket → record BUILDING → prepare build (settings, variables) → build (Batch .sync) → validate output → promote into the
 * project bucket → take the project stack's turn → update the project's stack → release (route
 * cache + live pointer) → give the turn back → record LIVE (or SUPERSEDED when a newer request
 * released to the same pointer first: Release never lets an older request replace a newer one).
 * The stack update publishes the deployment's function version; Release writes it into the live
 * pointer `{deploymentId}@{version}`, or with `preview` in the input (signed into the ticket too)
 * into the preview's own pointer `p:{project}--{alias}` instead.
 * Any failure after the ticket check records FAILED with the failing state; the live pointer
 * only moves in the release step, so the previous version keeps serving.
 *
 * Execution input: { ticket, project, deploymentId, source: { bucket, key } } for an uploaded
 * source, or { ticket, project, deploymentId, github: { repository, commit, installationId },
 * preview?, withholdSecrets? } for a commit on GitHub: then *Fetch source* stores the commit's
 * tarball as the source before the build (no user code runs before it), and *Report …* steps
 * tell GitHub at start, at live and on failure. A reporting step never fails the deployment.
 */
export class BuildAndDeployWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, resources: PipelineResources) {
    super(scope, id);
    const key = deploymentKey();
    const fromGithub = sfn.Condition.isPresent('$.github');
    // The stack turn (if this execution holds it) goes back once the failure is recorded.
    const failed = recordFailure(this, resources, key, (fail) =>
      giveStackTurn(
        this,
        'Give project stack turn after failure',
        resources,
        new sfn.Choice(this, 'Report failure?')
          .when(fromGithub, this.report('Report failure', resources, 'failure', sfn.JsonPath.DISCARD, fail))
          .otherwise(fail),
      ),
    );

    // A build may write only its own prefix and read only its own source: STS credentials whose
    // session policy names exactly those, valid for one build. The job role itself holds no S3 rights.
    const policy = new sfn.Pass(this, 'Scope build policy', {
      parameters: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: sfn.JsonPath.format('{}/builds/{}/*', resources.buildBucket.bucketArn, sfn.JsonPath.stringAt('$.deploymentId')),
          },
          // The settings and build-time variables *Prepare build* wrote: the runner reads them once and deletes them.
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:DeleteObject'],
            Resource: sfn.JsonPath.format(
              '{}/builds/{}/env.json',
              resources.buildBucket.bucketArn,
              sfn.JsonPath.stringAt('$.deploymentId'),
            ),
          },
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: sfn.JsonPath.format(
              'arn:{}:s3:::{}/{}',
              Stack.of(this).partition,
              sfn.JsonPath.stringAt('$.source.bucket'),
              sfn.JsonPath.stringAt('$.source.key'),
            ),
          },
        ],
      },
      resultPath: '$.build.policy',
    });
    const credentials = new tasks.CallAwsService(this, 'Scope build credentials', {
      service: 'sts',
      action: 'assumeRole',
      parameters: {
        RoleArn: resources.buildCredentialsRole.roleArn,
        RoleSessionName: sfn.JsonPath.stringAt('$.deploymentId'),
        // Chained from the state machine's role session: one hour at most (STS), which the build step's timeout stays under.
        DurationSeconds: TIMEOUTS.buildCredentials,
        Policy: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.build.policy')),
      },
      iamResources: [resources.buildCredentialsRole.roleArn],
      resultSelector: {
        'accessKeyId.$': '$.Credentials.AccessKeyId',
        'secretAccessKey.$': '$.Credentials.SecretAccessKey',
        'sessionToken.$': '$.Credentials.SessionToken',
      },
      resultPath: '$.build',
    });
    credentials.addRetry({ errors: ['Sts.StsException', 'States.Timeout'], maxAttempts: 3, interval: Duration.seconds(2), backoffRate: 2 });

    // Step Functions counts from submission (queueing and the image pull included); Batch ends the
    // attempt itself at the job definition's timeout. No taskTimeout prop: CDK would render it as the
    // job's AttemptDurationSeconds too, overriding the job definition's.
    const build = new BuildJob(this, 'Build', buildStepTimeoutSeconds(resources.buildTimeoutSeconds), {
      jobName: stageName(stageOf(this), 'build'),
      jobQueueArn: resources.buildJobQueue.jobQueueArn,
      jobDefinitionArn: resources.buildJobDefinition.jobDefinitionArn,
      containerOverrides: {
        environment: {
          SLIPWAY_PROJECT: sfn.JsonPath.stringAt('$.project'),
          SLIPWAY_BUILD_ID: sfn.JsonPath.stringAt('$.deploymentId'),
          SLIPWAY_SOURCE_BUCKET: sfn.JsonPath.stringAt('$.source.bucket'),
          SLIPWAY_SOURCE_KEY: sfn.JsonPath.stringAt('$.source.key'),
          // The subscription's buildTimeoutSeconds (verified ticket); the step's own timeout is the platform's cap.
          SLIPWAY_BUILD_TIMEOUT_SECONDS: sfn.JsonPath.stringAt('$.claims.buildTimeoutSeconds'),
          AWS_ACCESS_KEY_ID: sfn.JsonPath.stringAt('$.build.accessKeyId'),
          AWS_SECRET_ACCESS_KEY: sfn.JsonPath.stringAt('$.build.secretAccessKey'),
          AWS_SESSION_TOKEN: sfn.JsonPath.stringAt('$.build.sessionToken'),
        },
      },
      attempts: 1,
      // Replaces the credentials in the state with the job id: later states never carry them.
      resultSelector: { 'jobId.$': '$.JobId' },
      resultPath: '$.build',
    });
    // Capacity hiccups are transient; a failing user build is not retried.
    build.addRetry({
      errors: ['Batch.AWSBatchException', 'Batch.ServerException'],
      maxAttempts: 3,
      interval: Duration.seconds(5),
      backoffRate: 2,
    });

    // Settings and variables are read here, once per deployment: values reach the build through the
    // build bucket (see prepare-build.ts), never through this state or the job's overrides.
    const prepare = lambdaStep(this, 'Prepare build', resources.functions.prepareBuild, '$.prepared');

    const validate = lambdaStep(this, 'Validate output', resources.functions.validateOutput, '$.output');
    const promote = lambdaStep(this, 'Promote', resources.functions.promote, sfn.JsonPath.DISCARD);

    // Publishes the deployment's version; production and previews alike move only in Release.
    const updateStack = updateProjectStack(this, resources, failed);

    // One stack change at a time per project: the update and the release of what it published.
    const turn = stackTurnSteps(this, resources, failed);
    // The execution's start orders the requests: Release never lets an older one replace a newer one's pointer.
    const release = lambdaStep(
      this,
      'Release',
      resources.functions.release,
      '$.release',
      stepPayload({ requestedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime') }),
    );
    const live = setStatus(this, 'Record live', resources, key, 'LIVE');
    const recordBuilding = setStatus(this, 'Record building', resources, key, 'BUILDING');
    // The source comes from GitHub: the only step that holds the installation token, before any user code.
    const fetchSource = lambdaStep(this, 'Fetch source', resources.functions.fetchSource, '$.source');
    for (const step of [recordBuilding, prepare, fetchSource, credentials, validate, promote, release, live]) {
      catchInto(this, step, failed);
    }
    // A successful Build replaces the credentials with its job id; a failed one must drop them too,
    // so that recording and reporting the failure never carry them.
    const forgetCredentials = new sfn.Pass(this, 'Forget build credentials', { result: sfn.Result.fromObject({}), resultPath: '$.build' });
    forgetCredentials.next(failed);
    catchInto(this, build, forgetCredentials);
    const reportStart = this.report('Report building', resources, 'start', '$.githubReport', fetchSource);
    fetchSource.next(policy);
    const source = new sfn.Choice(this, 'Source from GitHub?').when(fromGithub, reportStart).otherwise(policy);
    const succeed = new sfn.Succeed(this, 'Live');
    const reportedLive = new sfn.Choice(this, 'Report live?')
      .when(fromGithub, this.report('Report live', resources, 'live', sfn.JsonPath.DISCARD, succeed))
      .otherwise(succeed);

    const definition = verifyTicketStep(this, resources, 'build-deploy').next(recordBuilding).next(prepare).next(source);
    policy.next(credentials).next(build).next(validate).next(promote).next(turn.take);
    turn.taken.when(STACK_TURN_HELD, updateStack.start);
    // A newer request moved this pointer first: this deployment stays promoted and published, not live.
    const superseded = setStatus(this, 'Record superseded', resources, key, 'SUPERSEDED');
    catchInto(this, superseded, failed);
    superseded.next(new sfn.Succeed(this, 'Superseded'));
    const newest = new sfn.Choice(this, 'Superseded?')
      .when(sfn.Condition.booleanEquals('$.release.superseded', true), superseded)
      .otherwise(live);
    updateStack.done.next(release).next(turn.give(newest));
    live.next(reportedLive);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: stageName(stageOf(this), 'build-and-deploy'),
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      ...stateMachineOptions(resources),
    });
    // The .sync Batch integration polls its job and terminates it when the execution is stopped
    // (cancel) or the step times out; CDK grants only SubmitJob and the events rule
    // (infra/aws/permissions/integration-permissions.ts lists what Step Functions documents).
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['batch:DescribeJobs'], resources: ['*'] }));
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['batch:TerminateJob'],
        resources: [Stack.of(this).formatArn({ service: 'batch', resource: 'job', resourceName: '*' })],
      }),
    );
  }

  /**
   * A reporting step that goes on to `next` whatever happens: the function catches its own errors,
   * and a Catch covers the invocation itself failing.
   */
  private report(
    id: string,
    resources: PipelineResources,
    phase: 'start' | 'live' | 'failure',
    resultPath: string,
    next: sfn.IChainable,
  ): tasks.LambdaInvoke {
    const step = lambdaStep(this, id, resources.functions.reportGithub, resultPath, stepPayload({ phase }));
    step.addCatch(next, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
    step.next(next);
    return step;
  }
}
