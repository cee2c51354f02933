import { Duration, Lazy, RemovalPolicy, aws_batch as batch, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BuildAndDeployWorkflow } from '../../../workflows/build-and-deploy.js';
import { DeleteProjectWorkflow } from '../../../workflows/delete-project.js';
import { InitProjectWorkflow } from '../../../workflows/init-project.js';
import type { PipelineResources } from '../../../workflows/pipeline-resources.js';
import { handlerFunction } from '../shared/handler-function.js';
import type { PlatformStorage } from '../storage/platform-storage.js';

/** One entry per pipeline Lambda: the module and export its Handler names. */
export const PIPELINE_HANDLERS = {
  verifyTicket: 'handlers/pipeline/verify-ticket.handler',
  validateOutput: 'handlers/pipeline/validate-output.handler',
  promote: 'handlers/pipeline/promote.handler',
  release: 'handlers/pipeline/release.handler',
  deleteProjectData: 'handlers/pipeline/delete-project-data.handler',
} as const;

export interface PipelineSystemProps {
  storage: PlatformStorage;
  build: { jobQueue: batch.IJobQueue; jobDefinition: batch.IJobDefinition };
  projects: {
    projectStackTemplateUrl: string;
    /** Route-cache (KeyValueStore) ARN the release and delete steps write; absent → file cache (local only). */
    routeCacheArn?: string;
    grantRouteCacheWrite?(grantee: iam.IGrantable): void;
  };
  buildTimeoutSeconds: number;
}

/**
 * The pipeline system: the pipeline Lambdas, the role builds get scoped credentials from, the
 * CloudFormation role for tenant stacks, and the three state machines from `workflows/`.
 */
export class PipelineSystem extends Construct {
  readonly workflows: { initProject: InitProjectWorkflow; buildAndDeploy: BuildAndDeployWorkflow; deleteProject: DeleteProjectWorkflow };
  readonly functions: PipelineResources['functions'];

  constructor(scope: Construct, id: string, props: PipelineSystemProps) {
    super(scope, id);
    const { storage } = props;
    const environment = {
      ...storage.environment(),
      ...(props.projects.routeCacheArn ? { SLIPWAY_ROUTE_CACHE_KVS_ARN: props.projects.routeCacheArn } : {}),
    };
    const fn = (fnId: string, handler: string, description: string) => {
      const f = handlerFunction(this, fnId, { handler, description, environment, timeout: Duration.minutes(5), memorySize: 1024 });
      storage.ticketSecret.grantRead(f);
      return f;
    };
    const functions = {
      verifyTicket: fn('VerifyTicketFunction', PIPELINE_HANDLERS.verifyTicket, 'Slipway: verify the ticket of an execution'),
      validateOutput: fn('ValidateOutputFunction', PIPELINE_HANDLERS.validateOutput, 'Slipway: validate a build bundle'),
      promote: fn('PromoteFunction', PIPELINE_HANDLERS.promote, 'Slipway: copy a validated bundle under its deployment prefix'),
      release: fn('ReleaseFunction', PIPELINE_HANDLERS.release, 'Slipway: move the live pointer to a deployment'),
      deleteProjectData: fn('DeleteProjectDataFunction', PIPELINE_HANDLERS.deleteProjectData, 'Slipway: remove a project’s data'),
    };
    this.functions = functions;
    // Each function gets what its step does, on the prefixes it does it on.
    storage.buildBucket.grantRead(functions.validateOutput, 'builds/*');
    storage.buildBucket.grantRead(functions.promote, 'builds/*');
    storage.projectBucket.grantPut(functions.promote, '*/deployments/*');
    storage.projectBucket.grantRead(functions.release, '*/deployments/*');
    storage.table.grantReadWriteData(functions.release);
    storage.projectBucket.grantRead(functions.deleteProjectData);
    storage.projectBucket.grantDelete(functions.deleteProjectData);
    storage.table.grantReadWriteData(functions.deleteProjectData);
    props.projects.grantRouteCacheWrite?.(functions.release);
    props.projects.grantRouteCacheWrite?.(functions.deleteProjectData);

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
    storage.sourceBucket.grantRead(buildCredentialsRole, 'sources/*');

    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      logGroupName: '/aws/vendedlogs/states/slipway',
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
      buildTimeoutSeconds: props.buildTimeoutSeconds,
    };
    this.workflows = {
      initProject: new InitProjectWorkflow(this, 'InitProject', resources),
      buildAndDeploy: new BuildAndDeployWorkflow(this, 'BuildAndDeploy', resources),
      deleteProject: new DeleteProjectWorkflow(this, 'DeleteProject', resources),
    };
  }
}
