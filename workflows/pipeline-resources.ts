import type {
  aws_batch as batch,
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { projectStackName } from '../handlers/lib/stage.js';
import { stageOf } from '../infra/aws/shared/stage.js';

/** What the pipeline state machines act on; the platform stack provides it. */
export interface PipelineResources {
  table: dynamodb.ITable;
  functions: {
    verifyTicket: lambda.IFunction;
    prepareBuild: lambda.IFunction;
    validateOutput: lambda.IFunction;
    promote: lambda.IFunction;
    release: lambda.IFunction;
    deleteProjectData: lambda.IFunction;
    checkRollbackTarget: lambda.IFunction;
    /** Downloads a GitHub commit into the source bucket (holds the only use of the installation token). */
    fetchSource: lambda.IFunction;
    /** Reports a GitHub-sourced deployment back to GitHub; never fails. */
    reportGithub: lambda.IFunction;
    /** Turns a caught failure's cause into what may be recorded (no job description, no credentials). */
    summariseFailure: lambda.IFunction;
    /** Takes and gives a project stack's turn: one execution at a time updates a stack and releases. */
    stackTurn: lambda.IFunction;
    /** Updates a project stack to a deployment, its runtime variables as a NoEcho parameter (the only step that sees them). */
    updateProjectStack: lambda.IFunction;
    /** The template rollout's bookkeeping: lists projects, plans one stack's upgrade, reports the outcomes. */
    templateRollout: lambda.IFunction;
  };
  /** Build bundles and logs; a build gets credentials for its own prefix only. */
  buildBucket: s3.IBucket;
  /** Assumed per build with a session policy naming that build's prefix and source object. */
  buildCredentialsRole: iam.IRole;
  /** Where each state machine logs its state transitions (without execution data: tickets ride in it). */
  stateMachineLogs?: logs.ILogGroup;
  buildJobQueue: batch.IJobQueue;
  buildJobDefinition: batch.IJobDefinition;
  /** S3 URL of the per-project stack template (the tenant function and its alias). */
  projectStackTemplateUrl: string;
  /** That template's version (infra/aws/projects/project-stack.ts `projectTemplateVersion`), tagged on each stack. */
  projectStackTemplateVersion: string;
  /**
   * CloudFormation's service role for tenant stacks, passed as RoleARN on every create, update and
   * delete: CloudFormation manages the tenant's resources with its rights, not the state machine's.
   */
  tenantStackRoleArn: string;
  /** Upper bound for one build, enforced by Batch and by the local sandbox. */
  buildTimeoutSeconds: number;
}

/** The path expression of the project's stack name: every tenant's stack is named from its project and the stage (handlers/lib/stage.ts). */
export function projectStackNamePath(scope: IConstruct): string {
  return `States.Format('${projectStackName(stageOf(scope), '{}')}', $.project)`;
}

/** The ARN pattern of every project stack of this stage, which each stack call is granted on. */
export function projectStackArns(scope: IConstruct): string[] {
  return [Stack.of(scope).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: projectStackName(stageOf(scope), '*') })];
}
