/**
 * What each Step Functions service integration the state machines use needs on the state machine's
 * role, as Step Functions documents it (the "IAM policies for …" page of each optimized integration;
 * for AWS SDK integrations, the service's IAM action of the API called). A test reads every Task
 * state of the synthesized state machines: an integration missing here fails it, and so does a
 * role that lacks a listed action (test/aws/permissions/integration-permissions.test.ts).
 */

/** What a listed action applies to, as the test checks it. */
export type IntegrationTarget =
  /** The resource the task names in its parameters (function, table, role, stack, job queue and definition). */
  | 'task-target'
  /** A job of the account (`job/*`): a .sync job's id is only known at run time. */
  | 'batch-job'
  /** The managed rule Step Functions creates for .sync Batch jobs. */
  | 'batch-events-rule'
  /** No resource-level permission exists for the action. */
  | 'any';

export interface IntegrationPermissions {
  /** The page that lists the integration's permissions. */
  source: string;
  actions: Readonly<Record<string, IntegrationTarget>>;
  /** Why the integration needs what it does, when the page says more than the API name. */
  note?: string;
}

const SFN_DOCS = 'https://docs.aws.amazon.com/step-functions/latest/dg';

/** Keyed by the Task's Resource without `arn:<partition>:states:::` (see integrationKey). */
export const STEP_FUNCTIONS_INTEGRATIONS = {
  // CDK's LambdaInvoke with payloadResponseOnly names the function itself as the Resource.
  'lambda-function-arn': {
    source: `${SFN_DOCS}/lambda-iam.html (and call-lambda.html: a function ARN as Resource invokes it directly)`,
    actions: { 'lambda:InvokeFunction': 'task-target' },
  },
  'dynamodb:updateItem': {
    source: `${SFN_DOCS}/dynamo-iam.html`,
    actions: { 'dynamodb:UpdateItem': 'task-target' },
  },
  'batch:submitJob.sync': {
    source: `${SFN_DOCS}/batch-iam.html (Run a Job (.sync))`,
    actions: {
      'batch:SubmitJob': 'task-target',
      'batch:DescribeJobs': 'any',
      'batch:TerminateJob': 'batch-job',
      'events:PutTargets': 'batch-events-rule',
      'events:PutRule': 'batch-events-rule',
      'events:DescribeRule': 'batch-events-rule',
    },
    note: 'Step Functions polls the job (DescribeJobs) and, when the execution is stopped or the state times out, terminates it (TerminateJob): without it a cancelled build keeps running and billing.',
  },
  'aws-sdk:sts:assumeRole': {
    source: `${SFN_DOCS}/supported-services-awssdk.html (an SDK integration needs the API's own IAM action)`,
    actions: { 'sts:AssumeRole': 'task-target' },
  },
  'aws-sdk:cloudformation:createStack': {
    source: `${SFN_DOCS}/supported-services-awssdk.html`,
    actions: { 'cloudformation:CreateStack': 'task-target', 'cloudformation:TagResource': 'task-target' },
    note: 'With a RoleARN, the caller also needs iam:PassRole on that role (CloudFormation User Guide, "CloudFormation service role"). The call carries Tags (the template version): tagging the stack itself is authorized on the caller as cloudformation:TagResource (Service Authorization Reference, AWS CloudFormation); the tags CloudFormation passes on to the resources are the service role\'s (lambda:TagResource, iam:TagRole, logs:TagResource).',
  },
  'aws-sdk:cloudformation:updateStack': {
    source: `${SFN_DOCS}/supported-services-awssdk.html`,
    actions: { 'cloudformation:UpdateStack': 'task-target', 'cloudformation:TagResource': 'task-target' },
    note: 'The template rollout only (deploys and rollbacks update through a Lambda that sets the runtime variables). Carries Tags like createStack: cloudformation:TagResource on the stack for the caller.',
  },
  'aws-sdk:cloudformation:deleteStack': {
    source: `${SFN_DOCS}/supported-services-awssdk.html`,
    actions: { 'cloudformation:DeleteStack': 'task-target' },
  },
  'aws-sdk:cloudformation:describeStacks': {
    source: `${SFN_DOCS}/supported-services-awssdk.html`,
    actions: { 'cloudformation:DescribeStacks': 'task-target' },
  },
} as const satisfies Record<string, IntegrationPermissions>;

/** What every state machine needs for its own tracing and logging, whatever its tasks. */
export const STATE_MACHINE_PERMISSIONS = {
  tracing: {
    source: `${SFN_DOCS}/xray-iam.html`,
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
  },
  logging: {
    source: `${SFN_DOCS}/cw-logs.html (IAM policies for logging to CloudWatch Logs)`,
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
  },
} as const;

/**
 * The table's key for a Task state's Resource: the integration (`batch:submitJob.sync`,
 * `aws-sdk:sts:assumeRole`, …), or `lambda-function-arn` for any other ARN, the only other kind
 * of Resource the state machines use (Step Functions also takes activity ARNs; Slipway has none).
 */
export function integrationKey(resource: string): string {
  const integration = /^arn:[^:]*:states:::(.+)$/.exec(resource);
  return integration ? (integration[1] as string) : 'lambda-function-arn';
}
