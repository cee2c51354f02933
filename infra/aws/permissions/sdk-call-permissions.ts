/**
 * The IAM action each AWS SDK command the platform's Lambdas send needs (the Service Authorization
 * Reference's "Actions defined by …" table of each service; a command's name is its API's). A test
 * bundles every Lambda's handler with its bindings, collects the commands the bundle can send, and
 * checks the function's role allows each one's actions (test/aws/permissions/sdk-call-permissions.test.ts):
 * a command missing here, or a role missing its action, fails it.
 */
const SAR = 'https://docs.aws.amazon.com/service-authorization/latest/reference';

export interface SdkCommandPermissions {
  actions: readonly string[];
  source: string;
  note?: string;
}

export const SDK_COMMAND_ACTIONS = {
  // DynamoDB through @aws-sdk/lib-dynamodb (document client commands send the same APIs).
  GetCommand: { actions: ['dynamodb:GetItem'], source: `${SAR}/list_amazondynamodb.html` },
  BatchGetCommand: { actions: ['dynamodb:BatchGetItem'], source: `${SAR}/list_amazondynamodb.html` },
  PutCommand: { actions: ['dynamodb:PutItem'], source: `${SAR}/list_amazondynamodb.html` },
  UpdateCommand: { actions: ['dynamodb:UpdateItem'], source: `${SAR}/list_amazondynamodb.html` },
  DeleteCommand: { actions: ['dynamodb:DeleteItem'], source: `${SAR}/list_amazondynamodb.html` },
  QueryCommand: { actions: ['dynamodb:Query'], source: `${SAR}/list_amazondynamodb.html` },
  ScanCommand: { actions: ['dynamodb:Scan'], source: `${SAR}/list_amazondynamodb.html` },
  BatchWriteCommand: {
    actions: ['dynamodb:BatchWriteItem'],
    source: `${SAR}/list_amazondynamodb.html`,
    note: 'BatchWriteItem is authorized as itself (not as PutItem/DeleteItem).',
  },
  // S3
  PutObjectCommand: {
    actions: ['s3:PutObject'],
    source: `${SAR}/list_amazons3.html`,
    note: 'Also a presigned upload URL: S3 checks the signer’s s3:PutObject when it is used.',
  },
  GetObjectCommand: { actions: ['s3:GetObject'], source: `${SAR}/list_amazons3.html` },
  HeadObjectCommand: { actions: ['s3:GetObject'], source: `${SAR}/list_amazons3.html (HeadObject is authorized as GetObject)` },
  ListObjectsV2Command: { actions: ['s3:ListBucket'], source: `${SAR}/list_amazons3.html` },
  DeleteObjectsCommand: { actions: ['s3:DeleteObject'], source: `${SAR}/list_amazons3.html (each key of the batch as DeleteObject)` },
  CopyObjectCommand: {
    actions: ['s3:GetObject', 's3:PutObject'],
    source: `${SAR}/list_amazons3.html (GetObject on the source, PutObject on the destination)`,
  },
  // Step Functions
  StartExecutionCommand: { actions: ['states:StartExecution'], source: `${SAR}/list_awsstepfunctions.html` },
  StopExecutionCommand: { actions: ['states:StopExecution'], source: `${SAR}/list_awsstepfunctions.html` },
  DescribeExecutionCommand: { actions: ['states:DescribeExecution'], source: `${SAR}/list_awsstepfunctions.html` },
  ListExecutionsCommand: { actions: ['states:ListExecutions'], source: `${SAR}/list_awsstepfunctions.html` },
  GetExecutionHistoryCommand: { actions: ['states:GetExecutionHistory'], source: `${SAR}/list_awsstepfunctions.html` },
  DescribeStateMachineCommand: { actions: ['states:DescribeStateMachine'], source: `${SAR}/list_awsstepfunctions.html` },
  // Secrets Manager
  GetSecretValueCommand: { actions: ['secretsmanager:GetSecretValue'], source: `${SAR}/list_awssecretsmanager.html` },
  // CloudFront KeyValueStore
  DescribeKeyValueStoreCommand: {
    actions: ['cloudfront-keyvaluestore:DescribeKeyValueStore'],
    source: `${SAR}/list_amazoncloudfrontkeyvaluestore.html`,
  },
  GetKeyCommand: { actions: ['cloudfront-keyvaluestore:GetKey'], source: `${SAR}/list_amazoncloudfrontkeyvaluestore.html` },
  UpdateKeysCommand: { actions: ['cloudfront-keyvaluestore:UpdateKeys'], source: `${SAR}/list_amazoncloudfrontkeyvaluestore.html` },
  // CloudFormation
  UpdateStackCommand: {
    actions: ['cloudformation:UpdateStack', 'cloudformation:TagResource', 'iam:PassRole'],
    source: `${SAR}/list_awscloudformation.html (UpdateStack; TagResource when the request carries Tags; iam:PassRole for its RoleARN)`,
    note: 'Only *Update project stack* sends it: the tags are the template version, the role the tenant-stack service role.',
  },
  // CloudFront distribution tenants (custom domains' certificates; Release and Delete project data only)
  CreateDistributionTenantCommand: {
    actions: ['cloudfront:CreateDistributionTenant'],
    source: `${SAR}/list_amazoncloudfront.html`,
    note: 'Sent without Tags (TagResource would be needed) and without a WAF or certificate ARN: CloudFront requests the managed certificate itself.',
  },
  GetDistributionTenantCommand: { actions: ['cloudfront:GetDistributionTenant'], source: `${SAR}/list_amazoncloudfront.html` },
  UpdateDistributionTenantCommand: {
    actions: ['cloudfront:UpdateDistributionTenant'],
    source: `${SAR}/list_amazoncloudfront.html`,
    note: 'Only Enabled changes: a tenant is disabled before DeleteDistributionTenant, which refuses an enabled one (ResourceNotDisabled).',
  },
  DeleteDistributionTenantCommand: { actions: ['cloudfront:DeleteDistributionTenant'], source: `${SAR}/list_amazoncloudfront.html` },
  GetManagedCertificateDetailsCommand: {
    actions: ['cloudfront:GetManagedCertificateDetails'],
    source: `${SAR}/list_amazoncloudfront.html`,
    note: 'Resource type distribution-tenant only; the API holds it alone (read-only certificate states), Release and Delete project data with the tenant actions.',
  },
  // Lambda
  InvokeWithResponseStreamCommand: {
    actions: ['lambda:InvokeFunction'],
    source: `${SAR}/list_awslambda.html (InvokeWithResponseStream is authorized as InvokeFunction)`,
  },
} as const satisfies Record<string, SdkCommandPermissions>;

export type SdkCommand = keyof typeof SDK_COMMAND_ACTIONS;
