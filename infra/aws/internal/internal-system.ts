import {
  Arn,
  ArnFormat,
  Duration,
  RemovalPolicy,
  Stack,
  aws_apigateway as apigw,
  aws_apigatewayv2 as apigwv2,
  aws_apigatewayv2_integrations as integrations,
  aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3 as s3,
  type aws_s3_deployment as s3deploy,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENTITY_INDEX } from '../../../handlers/lib/table/keys.js';
import { handlerFunction } from '../shared/handler-function.js';
import type { PlatformStorage } from '../storage/platform-storage.js';
import { acknowledge, nagResource, LAMBDA_NAG } from '../shared/nag.js';
import { LogStreamEndpoint, buildLogReadStatements } from './log-stream-endpoint.js';
import { stageName } from '../../../handlers/lib/stage.js';
import { stageOf } from '../shared/stage.js';
import { TIMEOUTS } from '../shared/timeouts.js';
import { dashboardBehaviors, dashboardBundle, dashboardServerFunction, deployDashboardAssets } from './dashboard-app.js';

export interface InternalSystemProps {
  storage: PlatformStorage;
  /** The four workflows the API starts (and reads executions of). */
  stateMachineArns: {
    initProject: string;
    buildAndDeploy: string;
    deleteProject: string;
    rollback: string;
    /** Operators start the template rollout through the API (POST /admin/template-rollout). */
    templateRollout?: string;
  };
  /** A custom host name for the dashboard (and the API under `/api/*`); needs `certificate` (us-east-1). */
  domainName?: string;
  certificate?: acm.ICertificate;
  /** The GitHub App's JSON secret: the API checks webhook signatures and runs the OAuth sign-in with it. */
  githubSecret?: secretsmanager.ISecret;
  /** Steady-state requests per second and burst of the HTTP API's $default stage. */
  throttle?: { rateLimit: number; burstLimit: number };
  /**
   * The value CloudFront adds as `x-slipway-origin-secret` to requests for the dashboard's server
   * function, which refuses any request without it: the tenant router's origin secret (one
   * secret, one rotation; docs/DEPLOY-AWS.md), as a dynamic reference.
   */
  originSecret: string;
  /** The built dashboard (default `dist/dashboard` of the package). */
  dashboardBundleDirectory?: string;
  /**
   * The custom-domain distribution, whose tenants' certificate states the domain answers show (read
   * only). Absent, the API binds certificates that are all `none`.
   */
  customDomains?: { apiEnvironment(): Record<string, string>; grantCertificateRead(grantee: iam.IGrantable): void };
}

/**
 * The internal system: the HTTP API in front of the API Lambda, the admin token, and the
 * dashboard (S3 + CloudFront + its server function). The API only starts and reads executions;
 * its role holds nothing on the project bucket, Batch, CloudFormation or Lambda.
 */
export class InternalSystem extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly apiFunction: lambda.Function;
  readonly adminTokenSecret: secretsmanager.Secret;
  readonly sessionSecret: secretsmanager.Secret;
  readonly dashboardBucket: s3.Bucket;
  readonly dashboardFunction: lambda.Function;
  /** The server function's URL (auth type NONE: the function checks the origin secret). */
  readonly dashboardUrl: lambda.FunctionUrl;
  /** client/ of the built dashboard into the bucket (never pruned). */
  readonly dashboardAssets: s3deploy.BucketDeployment[];
  readonly dashboardDistribution: cloudfront.Distribution;
  /** The build log stream's own Lambda and function URL, served at its API path by the dashboard distribution. */
  readonly logStream: LogStreamEndpoint;

  constructor(scope: Construct, id: string, props: InternalSystemProps) {
    super(scope, id);
    const { storage, stateMachineArns } = props;
    const stack = Stack.of(this);
    if (props.domainName && !props.certificate) throw new Error('InternalSystem: domainName needs a certificate (ACM, us-east-1)');

    // ---- admin token ---------------------------------------------------------------------
    this.adminTokenSecret = new secretsmanager.Secret(this, 'AdminToken', {
      description: 'Slipway admin API token (send as "Authorization: Bearer <token>")',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledge(this.adminTokenSecret, {
      'AwsSolutions-SMG4':
        'The admin token is a bearer credential held by operators and CLIs; rotating it without a rotation Lambda that also updates them would lock them out. It is rotated by hand (put-secret-value) until users and roles arrive with the control-plane issue.',
    });

    // Signs browser sessions and the OAuth flow cookie; only the API reads it (not the ticket key,
    // which every pipeline function can read).
    this.sessionSecret = new secretsmanager.Secret(this, 'SessionKey', {
      description: 'Slipway session-signing key (HS256)',
      generateSecretString: { passwordLength: 44, excludePunctuation: true },
    });
    acknowledge(this.sessionSecret, {
      'AwsSolutions-SMG4':
        'Rotating the session key signs every browser out; without a rotation Lambda that accepts the previous key for a session lifetime it is rotated by hand (put-secret-value), which is the sign-everyone-out switch.',
    });

    // ---- API function --------------------------------------------------------------------
    this.apiFunction = handlerFunction(this, 'ApiFunction', {
      handler: 'handlers/api/lambda.handler',
      description: 'Slipway API: reads platform state and starts pipeline executions',
      timeout: Duration.seconds(TIMEOUTS.apiFunction),
      binds: ['clients', 'secret-source', 'custom-domain-certificate-states'],
      environment: {
        ...storage.environment(),
        ...props.customDomains?.apiEnvironment(),
        SLIPWAY_STATE_MACHINE_INIT_PROJECT: stateMachineArns.initProject,
        SLIPWAY_STATE_MACHINE_BUILD_DEPLOY: stateMachineArns.buildAndDeploy,
        SLIPWAY_STATE_MACHINE_DELETE_PROJECT: stateMachineArns.deleteProject,
        SLIPWAY_STATE_MACHINE_ROLLBACK: stateMachineArns.rollback,
        ...(stateMachineArns.templateRollout ? { SLIPWAY_STATE_MACHINE_TEMPLATE_ROLLOUT: stateMachineArns.templateRollout } : {}),
        SLIPWAY_ADMIN_TOKEN_SECRET_ARN: this.adminTokenSecret.secretArn,
        SLIPWAY_SESSION_SECRET_ARN: this.sessionSecret.secretArn,
        ...(props.githubSecret ? { SLIPWAY_GITHUB_SECRET_ARN: props.githubSecret.secretArn } : {}),
      },
    });
    this.grantApi(this.apiFunction, props);
    // Only reading the certificate states: creating and deleting tenants is Release's and Delete project data's.
    props.customDomains?.grantCertificateRead(this.apiFunction);
    acknowledge(this.apiFunction, LAMBDA_NAG);

    // ---- HTTP API ------------------------------------------------------------------------
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: stageName(stageOf(this), 'api'),
      description: 'Slipway platform API (/api/v1/*); authorization is the bearer token checked by the API function',
      defaultIntegration: new integrations.HttpLambdaIntegration('ApiIntegration', this.apiFunction, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      createDefaultStage: false,
    });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: accessLogFormat(),
      },
    });
    acknowledge(this.api, {
      'AwsSolutions-APIG4':
        'Every route is authenticated by the API function itself (bearer admin token today, users with the control-plane issue) and answers 401 with a JSON reason; /api/v1/health is the only open route.',
    });

    // ---- dashboard -----------------------------------------------------------------------
    // The dashboard app (dashboard/, built by `npm run build` with Slipway's adapter into
    // dist/dashboard) is served the way tenants are: client files from this bucket, pages and
    // form actions from its server function. `/api/*` goes to the HTTP API, so the dashboard and
    // the API share one origin (no CORS, one host name, the session cookie sent to both).
    const bundle = dashboardBundle(props.dashboardBundleDirectory);
    this.dashboardBucket = new s3.Bucket(this, 'DashboardBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: storage.accessLogBucket,
      serverAccessLogsPrefix: 'DashboardBucket/',
      versioned: false,
    });
    const server = dashboardServerFunction(this, bundle, props.originSecret);
    this.dashboardFunction = server.fn;
    this.dashboardUrl = server.url;
    this.dashboardAssets = deployDashboardAssets(this, this.dashboardBucket, bundle);
    // New files first, then the new code: a page of the new build never asks for a file not uploaded yet.
    for (const deployment of this.dashboardAssets) this.dashboardFunction.node.addDependency(deployment);
    const dashboard = dashboardBehaviors(this, { bundle, url: server.url, bucket: this.dashboardBucket, originSecret: props.originSecret });

    this.logStream = new LogStreamEndpoint(this, 'LogStream', {
      storage,
      buildAndDeployArn: stateMachineArns.buildAndDeploy,
      adminTokenSecret: this.adminTokenSecret,
      sessionSecret: this.sessionSecret,
    });

    const apiDomain = `${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: new origins.HttpOrigin(apiDomain, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // API Gateway needs its own Host; every other viewer header (Authorization included) passes.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    this.dashboardDistribution = new cloudfront.Distribution(this, 'DashboardDistribution', {
      comment: 'Slipway dashboard and API',
      defaultBehavior: dashboard.defaultBehavior,
      // In this order: CloudFront takes the first pattern that matches, so the stream goes before /api/*.
      additionalBehaviors: {
        [LogStreamEndpoint.PATH_PATTERN]: this.logStream.behavior,
        '/api/*': apiBehavior,
        ...dashboard.assetBehaviors,
      },
      ...(props.domainName && props.certificate
        ? {
            domainNames: [props.domainName],
            certificate: props.certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: storage.accessLogBucket,
      logFilePrefix: 'dashboard-cdn/',
    });
    acknowledge(this.dashboardDistribution, {
      'AwsSolutions-CFR1':
        'The dashboard is for the operators of this installation wherever they are; a geo restriction is left to the self-hoster.',
      'AwsSolutions-CFR2':
        'A WAF web ACL costs a fixed monthly fee the idle platform would otherwise not have; the API throttles at the stage and authenticates every route. Self-hosters can attach one (webAclId).',
      ...(props.certificate
        ? {}
        : {
            'AwsSolutions-CFR4':
              'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose security policy CloudFront fixes (TLSv1); with domainName + certificate it is TLSv1.2_2021.',
          }),
    });
    // API Gateway sees its own host, never the viewer's: the API answers as the dashboard's public
    // URL (handlers/api/lambda.ts), so its Origin checks, cookies and the OAuth callback use the
    // host the browser used.
    this.apiFunction.addEnvironment(
      'SLIPWAY_PUBLIC_URL',
      `https://${props.domainName ?? this.dashboardDistribution.distributionDomainName}`,
    );
    // Its URLs and the admin token's ARN are stack outputs: infra/aws/platform-outputs.ts.
  }

  /** Exactly what the API's routes call; see handlers/api/routes/*. */
  private grantApi(fn: lambda.Function, props: InternalSystemProps): void {
    const { storage, stateMachineArns } = props;
    const stack = Stack.of(this);
    const machines = [
      stateMachineArns.initProject,
      stateMachineArns.buildAndDeploy,
      stateMachineArns.deleteProject,
      stateMachineArns.rollback,
      ...(stateMachineArns.templateRollout ? [stateMachineArns.templateRollout] : []),
    ];
    const executionsOf = (arn: string) => {
      const name = Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
      return stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    };
    const statements = [
      new iam.PolicyStatement({
        sid: 'StartPipelineExecutions',
        actions: ['states:StartExecution', 'states:ListExecutions'],
        resources: machines,
      }),
      // The execution route returns the machine's graph (names, types, transitions only) with the view.
      new iam.PolicyStatement({ sid: 'ReadPipelineDefinitions', actions: ['states:DescribeStateMachine'], resources: machines }),
      new iam.PolicyStatement({
        sid: 'ReadPipelineExecutions',
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: machines.map(executionsOf),
      }),
      // Cancel stops the deployment's execution (and with it its build job).
      new iam.PolicyStatement({
        sid: 'StopPipelineExecutions',
        actions: ['states:StopExecution'],
        resources: machines.map(executionsOf),
      }),
      new iam.PolicyStatement({
        sid: 'PlatformRecords',
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
          'dynamodb:Scan',
        ],
        resources: [storage.table.tableArn],
      }),
      // The project list and push webhooks query the projects by the entity index.
      new iam.PolicyStatement({
        sid: 'ProjectIndex',
        actions: ['dynamodb:Query'],
        resources: [`${storage.table.tableArn}/index/${ENTITY_INDEX.name}`],
      }),
      new iam.PolicyStatement({
        sid: 'SourceUploads',
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [storage.sourceBucket.arnForObjects('sources/*')],
      }),
      ...buildLogReadStatements(storage),
      new iam.PolicyStatement({
        sid: 'ApiSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [
          storage.ticketSecret.secretArn,
          this.adminTokenSecret.secretArn,
          this.sessionSecret.secretArn,
          ...(props.githubSecret ? [props.githubSecret.secretArn] : []),
        ],
      }),
      // The API seals project secrets with it (it never needs to open them).
      new iam.PolicyStatement({
        sid: 'EnvSecretKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [storage.envSecret.secretArn],
      }),
    ];
    for (const statement of statements) fn.addToRolePolicy(statement);
    const wildcard = (resource: string) => `AwsSolutions-IAM5[Resource::${nagResource(fn, resource)}]`;
    acknowledge(fn, {
      ...Object.fromEntries(
        machines.map((arn) => [
          wildcard(executionsOf(arn)),
          'Execution names are chosen per start (project--operation--id); the wildcard covers only the executions of this one Slipway state machine, for DescribeExecution, GetExecutionHistory and StopExecution (cancel).',
        ]),
      ),
      [wildcard(storage.sourceBucket.arnForObjects('sources/*'))]:
        'Presigned uploads go to a fresh key sources/{project}/{uploadId}.tar.gz per request, and the deployment route heads that key; nothing outside sources/ and no delete.',
      [wildcard(storage.buildBucket.arnForObjects('builds/*/log/*'))]:
        'The log route reads builds/{deploymentId}/log/{seq}.txt of any deployment; only the log chunks, never the bundles.',
    });
  }
}

/** JSON access log lines with the request id, caller, route, status, latency and errors. */
function accessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      method: '$context.httpMethod',
      path: '$context.path',
      routeKey: '$context.routeKey',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      latency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
      error: '$context.error.message',
    }),
  );
}
