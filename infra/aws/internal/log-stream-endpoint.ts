import {
  Arn,
  ArnFormat,
  Duration,
  Stack,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_iam as iam,
  aws_lambda as lambda,
  type aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { handlerFunction } from '../shared/handler-function.js';
import { acknowledge, nagResource } from '../shared/nag.js';
import type { PlatformStorage } from '../storage/platform-storage.js';

export interface LogStreamEndpointProps {
  storage: PlatformStorage;
  /** The build-and-deploy state machine: the stream asks whether a deployment's execution still runs. */
  buildAndDeployArn: string;
  /** The secrets the API authenticates callers with: the admin token and the session key. */
  adminTokenSecret: secretsmanager.ISecret;
  sessionSecret: secretsmanager.ISecret;
}

/**
 * Live build logs and executions on AWS: the API's two stream routes (`…/logs/stream`,
 * `…/execution/stream`) in their own Lambda, behind a function URL in RESPONSE_STREAM mode, which
 * the dashboard distribution serves at the routes' own paths (`PATH_PATTERN`, ahead of `/api/*`). Clients keep the API URL they have: same host, same path,
 * same Authorization header; no redirect (fetch drops Authorization on a cross-origin one).
 * The URL's auth type is NONE because the function authenticates the bearer token or session
 * cookie itself, as the API does: origin access control would sign the origin request in the
 * Authorization header, replacing the caller's token.
 */
export class LogStreamEndpoint extends Construct {
  /** CloudFront's path pattern for both stream routes (`*` spans slashes); the template test checks it matches no other route. */
  static readonly PATH_PATTERN = '/api/v1/projects/*/stream';
  /** Lambda's limit: the stream ends cleanly before it (handlers/api/stream-limits.ts) and the client resumes. */
  static readonly TIMEOUT = Duration.minutes(15);
  /**
   * CloudFront waits this long for each next packet of the stream; the route writes a heartbeat
   * every HEARTBEAT_MS (15 s), so an idle build never reaches it.
   */
  static readonly READ_TIMEOUT = Duration.seconds(60);

  readonly function: lambda.Function;
  readonly url: lambda.FunctionUrl;
  /** The dashboard distribution's behavior for PATH_PATTERN. */
  readonly behavior: cloudfront.BehaviorOptions;

  constructor(scope: Construct, id: string, props: LogStreamEndpointProps) {
    super(scope, id);
    const { storage } = props;
    this.function = handlerFunction(this, 'Function', {
      handler: 'handlers/api/log-stream-lambda.handler',
      description: "Slipway API: streams a deployment's build log and execution (server-sent events) through a function URL",
      memorySize: 256,
      timeout: LogStreamEndpoint.TIMEOUT,
      binds: ['clients', 'secret-source'],
      environment: {
        SLIPWAY_TABLE: storage.table.tableName,
        SLIPWAY_SOURCE_BUCKET: storage.sourceBucket.bucketName,
        SLIPWAY_BUILD_BUCKET: storage.buildBucket.bucketName,
        SLIPWAY_PROJECT_BUCKET: storage.projectBucket.bucketName,
        SLIPWAY_ADMIN_TOKEN_SECRET_ARN: props.adminTokenSecret.secretArn,
        SLIPWAY_SESSION_SECRET_ARN: props.sessionSecret.secretArn,
      },
    });
    this.grantStream(props);
    this.url = this.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    this.behavior = {
      origin: new origins.FunctionUrlOrigin(this.url, { readTimeout: LogStreamEndpoint.READ_TIMEOUT }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // The function URL needs its own Host; Authorization, cookies and Last-Event-ID pass.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
    };
  }

  /** What the stream routes read: records, the log chunks, the execution's status and history, its state machine's definition, the two auth secrets. */
  private grantStream(props: LogStreamEndpointProps): void {
    const { storage } = props;
    const fn = this.function;
    const machineName = Arn.split(props.buildAndDeployArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${machineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const statements = [
      // The caller's user, token and project, then the deployment, read at every tick.
      new iam.PolicyStatement({ sid: 'PlatformRecordsRead', actions: ['dynamodb:GetItem'], resources: [storage.table.tableArn] }),
      ...buildLogReadStatements(storage),
      // A build whose execution stopped without recording its end still ends the stream; the
      // execution stream reads its history and draws it on the machine's graph.
      new iam.PolicyStatement({
        sid: 'BuildExecutionStatus',
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [executions],
      }),
      new iam.PolicyStatement({
        sid: 'BuildStateMachineGraph',
        actions: ['states:DescribeStateMachine'],
        resources: [props.buildAndDeployArn],
      }),
      new iam.PolicyStatement({
        sid: 'AuthSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.adminTokenSecret.secretArn, props.sessionSecret.secretArn],
      }),
    ];
    for (const statement of statements) fn.addToRolePolicy(statement);
    const wildcard = (resource: string) => `AwsSolutions-IAM5[Resource::${nagResource(fn, resource)}]`;
    acknowledge(fn, {
      [wildcard(executions)]:
        'Execution names are chosen per start; the wildcard covers only the executions of the build-and-deploy state machine, for DescribeExecution (has the build ended) and GetExecutionHistory (its states).',
      [wildcard(storage.buildBucket.arnForObjects('builds/*/log/*'))]:
        'The stream reads builds/{deploymentId}/log/{seq}.txt of the deployment the caller may read; only the log chunks, never the bundles.',
    });
  }
}

/** Listing and reading build logs (`builds/{id}/log/*`): what the API and the log stream both read. */
export function buildLogReadStatements(storage: PlatformStorage): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'BuildLogsList',
      actions: ['s3:ListBucket'],
      resources: [storage.buildBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': ['builds/*'] } },
    }),
    new iam.PolicyStatement({
      sid: 'BuildLogsRead',
      actions: ['s3:GetObject'],
      resources: [storage.buildBucket.arnForObjects('builds/*/log/*')],
    }),
  ];
}
