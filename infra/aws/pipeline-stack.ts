import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_batch as batch,
  aws_dynamodb as dynamodb,
  aws_lambda as lambda,
  aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BuildAndDeployWorkflow } from '../../workflows/build-and-deploy.js';
import { DeleteProjectWorkflow } from '../../workflows/delete-project.js';
import { InitProjectWorkflow } from '../../workflows/init-project.js';
import type { PipelineResources } from '../../workflows/pipeline-resources.js';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';

/** The package root, whether this module runs from source or from dist/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above infra/aws');
    dir = parent;
  }
  return dir;
}

/** Compiled handlers live in dist/; each function's Handler names its module. */
const DIST = join(packageRoot(), 'dist');

/** One entry per pipeline Lambda: its handler module under dist/. */
export const PIPELINE_HANDLERS = {
  verifyTicket: 'handlers/pipeline/verify-ticket.handler',
  validateOutput: 'handlers/pipeline/validate-output.handler',
  promote: 'handlers/pipeline/promote.handler',
  release: 'handlers/pipeline/release.handler',
  deleteProjectData: 'handlers/pipeline/delete-project-data.handler',
} as const;

export interface PipelineStackProps extends StackProps {
  buildTimeoutSeconds?: number;
}

/**
 * The pipeline system: platform table, buckets, ticket key, pipeline Lambdas and the three
 * state machines. The local back end synthesizes this very stack and runs its state machines.
 */
export class PipelineStack extends Stack {
  readonly workflows: { initProject: InitProjectWorkflow; buildAndDeploy: BuildAndDeployWorkflow; deleteProject: DeleteProjectWorkflow };

  constructor(scope: Construct, id: string, props: PipelineStackProps = {}) {
    super(scope, id, props);

    const table = new dynamodb.TableV2(this, 'PlatformTable', {
      tableName: DEFAULT_NAMES.table,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = (id: string, expireDays?: number) =>
      new s3.Bucket(this, id, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        encryption: s3.BucketEncryption.S3_MANAGED,
        lifecycleRules: expireDays ? [{ expiration: Duration.days(expireDays) }] : [],
      });
    const sourceBucket = bucket('SourceBucket', 7);
    const buildBucket = bucket('BuildBucket', 3);
    const projectBucket = bucket('ProjectBucket');
    const ticketSecret = new secretsmanager.Secret(this, 'TicketKey', {
      description: 'Slipway ticket-signing key (base64, 32 bytes)',
      generateSecretString: { passwordLength: 44, excludePunctuation: true },
    });

    const environment = {
      SLIPWAY_TABLE: table.tableName,
      SLIPWAY_SOURCE_BUCKET: sourceBucket.bucketName,
      SLIPWAY_BUILD_BUCKET: buildBucket.bucketName,
      SLIPWAY_PROJECT_BUCKET: projectBucket.bucketName,
      SLIPWAY_TICKET_SECRET_ARN: ticketSecret.secretArn,
    };
    const fn = (id: string, handler: string) => {
      const f = new lambda.Function(this, id, {
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        handler,
        code: lambda.Code.fromAsset(DIST),
        memorySize: 512,
        timeout: Duration.minutes(5),
        environment,
      });
      ticketSecret.grantRead(f);
      return f;
    };
    const functions = {
      verifyTicket: fn('VerifyTicketFunction', PIPELINE_HANDLERS.verifyTicket),
      validateOutput: fn('ValidateOutputFunction', PIPELINE_HANDLERS.validateOutput),
      promote: fn('PromoteFunction', PIPELINE_HANDLERS.promote),
      release: fn('ReleaseFunction', PIPELINE_HANDLERS.release),
      deleteProjectData: fn('DeleteProjectDataFunction', PIPELINE_HANDLERS.deleteProjectData),
    };
    buildBucket.grantRead(functions.validateOutput);
    buildBucket.grantRead(functions.promote);
    projectBucket.grantPut(functions.promote);
    table.grantReadWriteData(functions.release);
    table.grantReadWriteData(functions.deleteProjectData);
    projectBucket.grantRead(functions.deleteProjectData);
    projectBucket.grantDelete(functions.deleteProjectData);

    // The Batch compute environment and job definition arrive with the AWS issue; until then
    // the workflow is wired to their names so the synthesized definition is complete.
    const resources: PipelineResources = {
      table,
      functions,
      buildJobQueue: batch.JobQueue.fromJobQueueArn(this, 'BuildJobQueue', this.formatArn({ service: 'batch', resource: 'job-queue', resourceName: 'slipway-builds' })),
      buildJobDefinition: batch.EcsJobDefinition.fromJobDefinitionArn(this, 'BuildJobDefinition', this.formatArn({ service: 'batch', resource: 'job-definition', resourceName: 'slipway-buildrunner' })),
      projectStackTemplateUrl: `https://${projectBucket.bucketRegionalDomainName}/_platform/project-stack.json`,
      buildTimeoutSeconds: props.buildTimeoutSeconds ?? 900,
    };
    this.workflows = {
      initProject: new InitProjectWorkflow(this, 'InitProject', resources),
      buildAndDeploy: new BuildAndDeployWorkflow(this, 'BuildAndDeploy', resources),
      deleteProject: new DeleteProjectWorkflow(this, 'DeleteProject', resources),
    };
  }
}
