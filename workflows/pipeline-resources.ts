import type { aws_batch as batch, aws_dynamodb as dynamodb, aws_lambda as lambda } from 'aws-cdk-lib';

/** What the pipeline state machines act on; the platform stack provides it. */
export interface PipelineResources {
  table: dynamodb.ITable;
  functions: {
    verifyTicket: lambda.IFunction;
    validateOutput: lambda.IFunction;
    promote: lambda.IFunction;
    release: lambda.IFunction;
    deleteProjectData: lambda.IFunction;
  };
  buildJobQueue: batch.IJobQueue;
  buildJobDefinition: batch.IJobDefinition;
  /** S3 URL of the per-project stack template (the tenant function and its alias). */
  projectStackTemplateUrl: string;
  /** Upper bound for one build, enforced by Batch and by the local sandbox. */
  buildTimeoutSeconds: number;
}

/** Every tenant's CloudFormation stack is named from its project. */
export const PROJECT_STACK_NAME = "States.Format('slipway-project-{}', $.project)";
