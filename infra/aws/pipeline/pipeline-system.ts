import {
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  aws_batch as batch,
  aws_iam as iam,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BuildAndDeployWorkflow } from '../../../workflows/build-and-deploy.js';
import { DeleteProjectWorkflow } from '../../../workflows/delete-project.js';
import { InitProjectWorkflow } from '../../../workflows/init-project.js';
import { RollbackWorkflow } from '../../../workflows/rollback.js';
import { TemplateRolloutWorkflow } from '../../../workflows/template-rollout.js';
import { TemplateRolloutTrigger } from './template-rollout-trigger.js';
import type { PipelineResources } from '../../../workflows/pipeline-resources.js';
import { ENTITY_INDEX } from '../../../handlers/lib/table/keys.js';
import { type Binding, handlerFunction } from '../shared/handler-function.js';
import { acknowledge, nagResource } from '../shared/nag.js';
import type { PlatformStorage } from '../storage/platform-storage.js';
import { projectStackName, stageName, stagePrefix } from '../../../handlers/lib/stage.js';
import { stageOf } from '../shared/stage.js';

/** One entry per pipeline Lambda: the module and export its Handler names. */
export const PIPELINE_HANDLERS = {
  verifyTicket: 'handlers/pipeline/verify-ticket.handler',
  prepareBuild: 'handlers/pipeline/prepare-build.handler',
  validateOutput: 'handlers/pipeline/validate-output.handler',
  promote: 'handlers/pipeline/promote.handler',
  release: 'handlers/pipeline/release.handler',
  deleteProjectData: 'handlers/pipeline/delete-project-data.handler',
  checkRollbackTarget: 'handlers/pipeline/check-rollback-target.handler',
  fetchSource: 'handlers/pipeline/fetch-source.handler',
  reportGithub: 'handlers/pipeline/report-github.handler',
  summariseFailure: 'handlers/pipeline/summarise-failure.handler',
  stackTurn: 'handlers/pipeline/stack-turn.handler',
  updateProjectStack: 'handlers/pipeline/update-project-stack.handler',
  templateRollout: 'handlers/pipeline/template-rollout.handler',
} as const;

export interface PipelineSystemProps {
  storage: PlatformStorage;
  build: { jobQueue: batch.IJobQueue; jobDefinition: batch.IJobDefinition };
  projects: {
    projectStackTemplateUrl: string;
    /** The per-project template's version, tagged on every stack the workflows create or update. */
    projectStackTemplateVersion: string;
    /** CloudFormation's service role for tenant stacks (RoleARN of every stack call). */
    tenantStackRoleArn: string;
    /** Route-cache (KeyValueStore) ARN the release and delete steps write; absent → file cache (local only). */
    routeCacheArn?: string;
    grantRouteCacheWrite?(grantee: iam.IGrantable): void;
    /** The custom-domain distribution's ids and rights, for the steps that add and remove its tenants (Release, Delete project data). */
    customDomains?: { environment(): Record<string, string>; grantTenantManagement(grantee: iam.IGrantable): void };
  };
  buildTimeoutSeconds: number;
  /**
   * How many projects the route cache is shared among (Platform.routeCacheProjects): given to the
   * steps that hold deployments to their part of it (Validate output, Release); unset, 200.
   */
  routeCacheProjects?: number;
  /** The GitHub App's JSON secret (appId, privateKey, webhookSecret); fetch and report read it. */
  github?: { secret: secretsmanager.ISecret; apiUrl?: string };
  /** `https://{project}.<domain>/`: the URL the report step gives GitHub. */
  tenantUrlTemplate?: string;
}

/**
 * The pipeline system: the pipeline Lambdas, the role builds get scoped credentials from, the
 * CloudFormation role for tenant stacks, and the four state machines from `workflows/`.
 */
export class PipelineSystem extends Construct {
  readonly workflows: {
    initProject: InitProjectWorkflow;
    buildAndDeploy: BuildAndDeployWorkflow;
    deleteProject: DeleteProjectWorkflow;
    rollback: RollbackWorkflow;
    templateRollout: TemplateRolloutWorkflow;
  };
  readonly functions: PipelineResources['functions'];

  constructor(scope: Construct, id: string, props: PipelineSystemProps) {
    super(scope, id);
    const { storage } = props;
    const environment = {
      ...storage.environment(),
      ...(props.projects.routeCacheArn ? { SLIPWAY_ROUTE_CACHE_KVS_ARN: props.projects.routeCacheArn } : {}),
    };
    const githubEnvironment = {
      ...(props.github ? { SLIPWAY_GITHUB_SECRET_ARN: props.github.secret.secretArn } : {}),
      ...(props.github?.apiUrl ? { SLIPWAY_GITHUB_API_URL: props.github.apiUrl } : {}),
      ...(props.tenantUrlTemplate ? { SLIPWAY_TENANT_URL_TEMPLATE: props.tenantUrlTemplate } : {}),
    };
    const routeCacheBudget: Record<string, string> = props.routeCacheProjects
      ? { SLIPWAY_ROUTE_CACHE_PROJECTS: String(props.routeCacheProjects) }
      : {};
    // Release and Delete project data also add and remove custom domains' distribution tenants.
    const customDomainEnvironment = props.projects.customDomains?.environment() ?? {};
    const customDomainBinds: Binding[] = props.projects.customDomains ? ['route-cache', 'custom-domain-certificates'] : ['route-cache'];
    const fn = (fnId: string, handler: string, description: string, extra: Record<string, string> = {}, binds: Binding[] = []) => {
      const f = handlerFunction(this, fnId, {
        handler,
        description,
        environment: { ...environment, ...extra },
        timeout: Duration.minutes(5),
        memorySize: 1024,
        binds: ['clients', 'secret-source', ...binds],
      });
      storage.ticketSecret.grantRead(f);
      return f;
    };
    const functions = {
      // The build limit it passes on is cut to the platform's cap (handlers/lib/limits.ts runnerBuildTimeoutSeconds).
      verifyTicket: fn('VerifyTicketFunction', PIPELINE_HANDLERS.verifyTicket, 'Slipway: verify the ticket of an execution', {
        SLIPWAY_BUILD_TIMEOUT_CAP: String(props.buildTimeoutSeconds),
      }),
      prepareBuild: fn('PrepareBuildFunction', PIPELINE_HANDLERS.prepareBuild, 'Slipway: snapshot settings and variables for a build'),
      validateOutput: fn('ValidateOutputFunction', PIPELINE_HANDLERS.validateOutput, 'Slipway: validate a build bundle', routeCacheBudget),
      promote: fn('PromoteFunction', PIPELINE_HANDLERS.promote, 'Slipway: copy a validated bundle under its deployment prefix'),
      release: fn(
        'ReleaseFunction',
        PIPELINE_HANDLERS.release,
        'Slipway: move the live pointer to a deployment',
        { ...routeCacheBudget, ...customDomainEnvironment },
        customDomainBinds,
      ),
      deleteProjectData: fn(
        'DeleteProjectDataFunction',
        PIPELINE_HANDLERS.deleteProjectData,
        'Slipway: remove a project’s data',
        customDomainEnvironment,
        customDomainBinds,
      ),
      checkRollbackTarget: fn(
        'CheckRollbackTargetFunction',
        PIPELINE_HANDLERS.checkRollbackTarget,
        'Slipway: check that a rollback target went live and is still promoted',
      ),
      fetchSource: fn(
        'FetchSourceFunction',
        PIPELINE_HANDLERS.fetchSource,
        'Slipway: fetch a commit from GitHub into the source bucket',
        githubEnvironment,
      ),
      reportGithub: fn(
        'ReportGithubFunction',
        PIPELINE_HANDLERS.reportGithub,
        'Slipway: report a deployment to GitHub (status and Deployment)',
        githubEnvironment,
      ),
      stackTurn: fn('StackTurnFunction', PIPELINE_HANDLERS.stackTurn, 'Slipway: one stack update and release at a time per project'),
      updateProjectStack: fn(
        'UpdateProjectStackFunction',
        PIPELINE_HANDLERS.updateProjectStack,
        'Slipway: update a project stack to a deployment, with its runtime variables',
        {},
        ['project-stacks'],
      ),
      // Lists project names and computes; no ticket (the rollout has none), so no ticket key and no secrets.
      templateRollout: handlerFunction(this, 'TemplateRolloutFunction', {
        handler: PIPELINE_HANDLERS.templateRollout,
        description: 'Slipway: list projects, plan and report the rollout of the per-project template',
        environment,
        timeout: Duration.minutes(5),
        memorySize: 512,
        binds: ['clients'],
      }),
      // Reads and writes nothing: no environment, no ticket key, no grants.
      summariseFailure: handlerFunction(this, 'SummariseFailureFunction', {
        handler: PIPELINE_HANDLERS.summariseFailure,
        description: 'Slipway: summarise a failure cause before it is recorded',
        timeout: Duration.seconds(30),
        memorySize: 256,
      }),
    };
    this.functions = functions;
    storage.sourceBucket.grantPut(functions.fetchSource, 'sources/*');
    props.github?.secret.grantRead(functions.fetchSource);
    props.github?.secret.grantRead(functions.reportGithub);
    // Each function gets what its step does, on the prefixes it does it on.
    // The only pipeline function that decrypts secrets; it writes them for the build's eyes only.
    storage.envSecret.grantRead(functions.prepareBuild);
    storage.table.grantReadWriteData(functions.prepareBuild);
    storage.buildBucket.grantPut(functions.prepareBuild, 'builds/*/env.json');
    storage.buildBucket.grantRead(functions.validateOutput, 'builds/*');
    // Pre-flight warnings (limits AWS would only degrade at) go into the build's log.
    storage.buildBucket.grantPut(functions.validateOutput, 'builds/*/log/*');
    storage.buildBucket.grantRead(functions.promote, 'builds/*');
    storage.projectBucket.grantPut(functions.promote, '*/deployments/*');
    // Skew protection: Promote copies the immutable files of the project's last deployments.
    storage.projectBucket.grantRead(functions.promote, '*/deployments/*');
    storage.table.grantReadData(functions.promote);
    storage.projectBucket.grantRead(functions.release, '*/deployments/*');
    // A rollback target receives the content-hashed files of the deployments it replaces.
    storage.projectBucket.grantPut(functions.release, '*/deployments/*');
    storage.table.grantReadWriteData(functions.release);
    storage.projectBucket.grantRead(functions.deleteProjectData);
    storage.projectBucket.grantDelete(functions.deleteProjectData);
    storage.table.grantReadWriteData(functions.deleteProjectData);
    storage.table.grantReadData(functions.checkRollbackTarget);
    // The stack turn is an attribute of the project item: read and conditionally updated, nothing else (no index).
    iam.Grant.addToPrincipal({
      grantee: functions.stackTurn,
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resourceArns: [storage.table.tableArn],
    });
    storage.projectBucket.grantRead(functions.checkRollbackTarget, '*/deployments/*/slipway-manifest.json');
    // The second pipeline function that decrypts secrets: the runtime snapshot of the deployment it
    // is ticketed for (one GetItem), handed to CloudFormation as a NoEcho parameter. Reading the
    // template and passing the tenant-stack role are granted with the state machines' (slipway-stack.ts).
    storage.envSecret.grantRead(functions.updateProjectStack);
    iam.Grant.addToPrincipal({
      grantee: functions.updateProjectStack,
      actions: ['dynamodb:GetItem'],
      resourceArns: [storage.table.tableArn],
    });
    iam.Grant.addToPrincipal({
      grantee: functions.updateProjectStack,
      // Tagging a stack on update is authorized as cloudformation:TagResource on the stack.
      actions: ['cloudformation:UpdateStack', 'cloudformation:TagResource'],
      resourceArns: [
        Stack.of(this).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: projectStackName(stageOf(this), '*') }),
      ],
    });
    // The rollout lists the project items of the entity index; it reads nothing else.
    iam.Grant.addToPrincipal({
      grantee: functions.templateRollout,
      actions: ['dynamodb:Query'],
      resourceArns: [`${storage.table.tableArn}/index/${ENTITY_INDEX.name}`],
    });
    props.projects.grantRouteCacheWrite?.(functions.release);
    props.projects.grantRouteCacheWrite?.(functions.deleteProjectData);
    props.projects.customDomains?.grantTenantManagement(functions.release);
    props.projects.customDomains?.grantTenantManagement(functions.deleteProjectData);

    // Assumed once per build by the state machine with a session policy for that build alone;
    // the role's own policy is the ceiling (write builds/*, read sources/*).
    const buildCredentialsRole = new iam.Role(this, 'BuildCredentialsRole', {
      // Only the build-and-deploy state machine may take a build's credentials (resolved once it exists).
      assumedBy: new iam.AccountRootPrincipal().withConditions({
        ArnEquals: { 'aws:PrincipalArn': Lazy.string({ produce: () => this.workflows.buildAndDeploy.stateMachine.role.roleArn }) },
      }),
      description: 'Slipway: per-build scoped S3 credentials (narrowed by a session policy)',
      maxSessionDuration: Duration.hours(1),
    });
    storage.buildBucket.grantPut(buildCredentialsRole, 'builds/*');
    storage.buildBucket.grantRead(buildCredentialsRole, 'builds/*/env.json');
    storage.buildBucket.grantDelete(buildCredentialsRole, 'builds/*/env.json');
    storage.sourceBucket.grantRead(buildCredentialsRole, 'sources/*');

    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${stagePrefix(stageOf(this))}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const resources: PipelineResources = {
      table: storage.table,
      functions,
      buildBucket: storage.buildBucket,
      buildCredentialsRole,
      stateMachineLogs,
      buildJobQueue: props.build.jobQueue,
      buildJobDefinition: props.build.jobDefinition,
      projectStackTemplateUrl: props.projects.projectStackTemplateUrl,
      projectStackTemplateVersion: props.projects.projectStackTemplateVersion,
      tenantStackRoleArn: props.projects.tenantStackRoleArn,
      buildTimeoutSeconds: props.buildTimeoutSeconds,
    };
    this.workflows = {
      initProject: new InitProjectWorkflow(this, 'InitProject', resources),
      buildAndDeploy: new BuildAndDeployWorkflow(this, 'BuildAndDeploy', resources),
      deleteProject: new DeleteProjectWorkflow(this, 'DeleteProject', resources),
      rollback: new RollbackWorkflow(this, 'Rollback', resources),
      templateRollout: new TemplateRolloutWorkflow(this, 'TemplateRollout', resources),
    };
    new TemplateRolloutTrigger(this, 'TemplateRolloutTrigger', {
      stateMachine: this.workflows.templateRollout.stateMachine,
      templateVersion: props.projects.projectStackTemplateVersion,
    });
    this.acknowledgeFindings(storage, functions, buildCredentialsRole);
  }

  /** Each wildcard below is a prefix or a version qualifier the step needs; the reasons say which. */
  private acknowledgeFindings(storage: PlatformStorage, functions: PipelineResources['functions'], buildCredentialsRole: iam.Role): void {
    const s3Grants = {
      'AwsSolutions-IAM5[Action::s3:GetObject*]':
        'CDK bucket grants: GetObject, GetObjectVersion and GetObjectAttributes on the prefix the step reads.',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]': 'CDK bucket grants: GetBucketLocation etc., bucket metadata only.',
      'AwsSolutions-IAM5[Action::s3:List*]': 'CDK bucket grants: listing is needed to read a prefix (bundle, deployment, project).',
      'AwsSolutions-IAM5[Action::s3:Abort*]': 'CDK bucket grants: aborting its own multipart uploads.',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]':
        'delete-project removes every object of the project it was ticketed for (the prefix is the project).',
    };
    // CDK's table grants include the table's indexes (`index/*`); its one index holds projects and subscriptions.
    const tableIndexes = `AwsSolutions-IAM5[Resource::${nagResource(this, storage.table.tableArn)}/index/*]`;
    for (const fn of [
      functions.prepareBuild,
      functions.promote,
      functions.release,
      functions.deleteProjectData,
      functions.checkRollbackTarget,
    ]) {
      acknowledge(fn, {
        [tableIndexes]:
          'CDK table grants: the same rights on the table’s index (byEntity: project and subscription items), which holds no other data.',
      });
    }
    const builds = `AwsSolutions-IAM5[Resource::${nagResource(this, storage.buildBucket.bucketArn)}/builds/*]`;
    const deployments = `AwsSolutions-IAM5[Resource::${nagResource(this, storage.projectBucket.bucketArn)}/*/deployments/*]`;
    const manifests = `AwsSolutions-IAM5[Resource::${nagResource(this, storage.projectBucket.bucketArn)}/*/deployments/*/slipway-manifest.json]`;
    const projectObjects = `AwsSolutions-IAM5[Resource::${nagResource(this, storage.projectBucket.bucketArn)}/*]`;
    const sources = `AwsSolutions-IAM5[Resource::${nagResource(this, storage.sourceBucket.bucketArn)}/sources/*]`;
    const envObjects = `AwsSolutions-IAM5[Resource::${nagResource(this, storage.buildBucket.bucketArn)}/builds/*/env.json]`;
    acknowledge(functions.prepareBuild, {
      ...s3Grants,
      [envObjects]: 'Prepare build writes only builds/{id}/env.json, the settings object of the build it is ticketed for.',
    });
    const logChunks = `AwsSolutions-IAM5[Resource::${nagResource(this, storage.buildBucket.bucketArn)}/builds/*/log/*]`;
    acknowledge(functions.validateOutput, {
      ...s3Grants,
      [builds]: 'Validation reads the bundle of the build it is ticketed for, under builds/{id}/.',
      [logChunks]: 'Validation appends its warnings to the log of the build it is ticketed for, builds/{id}/log/.',
    });
    acknowledge(functions.promote, {
      ...s3Grants,
      [builds]: 'Promotion reads the validated bundle under builds/{id}/.',
      [deployments]:
        'Promotion writes a new deployment prefix {project}/deployments/{id}/, and reads the last deployments of the same project to carry their content-hashed files into it.',
    });
    acknowledge(functions.release, {
      ...s3Grants,
      [deployments]:
        'Release reads the promoted manifest of the deployment it makes live; for a rollback it copies the content-hashed files of the deployments it replaces into the target.',
    });
    acknowledge(functions.checkRollbackTarget, {
      ...s3Grants,
      [manifests]: 'The rollback check reads only deployment manifests, to see that the target is still promoted.',
    });
    acknowledge(functions.fetchSource, {
      ...s3Grants,
      [sources]: 'Fetching writes the source archive sources/{project}/github-{deployment}.tar.gz of the deployment it is ticketed for.',
    });
    acknowledge(functions.deleteProjectData, {
      ...s3Grants,
      [projectObjects]: 'Deleting a project removes every object under {project}/; project names are the first path segment.',
    });
    acknowledge(buildCredentialsRole, {
      ...s3Grants,
      [builds]: 'The ceiling for per-build credentials; each session policy narrows it to builds/{that build id}/*.',
      [sources]: 'The ceiling for per-build credentials; each session policy narrows it to that build’s source object.',
      [envObjects]:
        'The ceiling for per-build credentials; each session policy narrows reading and deleting to builds/{that build id}/env.json.',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]':
        'A build deletes only its settings object builds/{id}/env.json, once read, before any user code runs.',
    });
    const stackReason = `Tenant stacks are named ${projectStackName(stageOf(this), '{project}')}; the workflows act on the one their ticket names.`;
    const invokeReason = (name: string) =>
      `Step Functions invokes the ${name} function by version-qualified ARN (<arn>:*), as CDK grants it.`;
    const invokes = Object.fromEntries(
      Object.entries(functions).map(([name, fn]) => [
        `AwsSolutions-IAM5[Resource::${nagResource(this, fn.functionArn)}:*]`,
        invokeReason(name),
      ]),
    );
    acknowledge(functions.updateProjectStack, {
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${projectStackName(stageOf(this), '*')}]`]:
        stackReason,
    });
    for (const workflow of Object.values(this.workflows)) {
      acknowledge(workflow.stateMachine, {
        ...invokes,
        [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${projectStackName(stageOf(this), '*')}]`]:
          stackReason,
        'AwsSolutions-IAM5[Resource::*]':
          'X-Ray tracing, CloudWatch log delivery (logs:CreateLogDelivery etc.) and batch:DescribeJobs (the .sync build step polls its job) support no resource-level permissions.',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*]':
          'The .sync build step terminates its own job when the execution is stopped or times out; job ids are only known at run time.',
        [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job-definition/${stageName(stageOf(this), 'buildrunner')}:*]`]:
          'The .sync Batch integration needs SubmitJob on the job definition by revision (each deploy of the platform adds one); the job queue is named.',
      });
    }
  }
}
