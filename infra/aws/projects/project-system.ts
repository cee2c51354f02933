import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArnFormat,
  Duration,
  SecretValue,
  Stack,
  aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_s3_assets as s3assets,
  aws_secretsmanager as secretsmanager,
  aws_ssm as ssm,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ORIGIN_SECRET_HEADER } from '../../../router/lambda/handler.js';
import { tenantFunctionName } from '../../../router/lambda/lambda-invoker.js';
import { stageOf } from '../shared/stage.js';
import { TIMEOUTS } from '../shared/timeouts.js';
import { handlerFunction } from '../shared/handler-function.js';
import type { PlatformStorage } from '../storage/platform-storage.js';
import { codeBucketParameterName, projectStackTemplate, projectTemplateVersion } from './project-stack.js';
import { acknowledge, nagText } from '../shared/nag.js';
import { TenantStackRole } from './tenant-stack-role.js';
import { edgeFunctionSource } from './edge-function-source.js';
import { CustomDomainDistribution } from './custom-domain-distribution.js';

export interface ProjectSystemProps {
  storage: PlatformStorage;
  /** Tenants answer at `{project}.{domainName}`; needs `certificateArn`. */
  domainName?: string;
  /** ACM certificate in us-east-1 covering `*.{domainName}`. */
  certificateArn?: string;
  /**
   * How the router's function URL is protected. `oac` (default): AuthType AWS_IAM and CloudFront
   * origin access control, plus the origin secret. `secret`: AuthType NONE, the origin secret only
   * (needed when browsers POST/PUT to tenants: with OAC, Lambda requires the viewer to send
   * `x-amz-content-sha256` for request bodies).
   */
  routerAccess?: 'oac' | 'secret';
  /** SSM parameter the per-project stacks read the project bucket's name from. */
  codeBucketParameterName?: string;
  /** CDK's CloudFormation validation of the per-project template when it is synthesized (default on). */
  validateProjectTemplate?: boolean;
  /** Which X-Forwarded-For hop tenants see as the visitor (router/client-address.ts); default 1, the address CloudFront saw. */
  clientAddressDepth?: number;
  /**
   * The origin secret's version the router and the distribution use (origin-secret-version.ts):
   * set after `put-secret-value` to rotate; unset, the secret's current version.
   */
  originSecretVersion?: string;
}

/** Origin ids the CloudFront Functions select (router/cloudfront/*.js). */
export const ROUTER_ORIGIN_ID = 'router';
export const BUCKET_ORIGIN_ID = 'bucket';

/** Behaviors of the distribution, in CloudFront's evaluation order (see infra/local/edge/cloudfront-functions.ts behaviorFor). */
export const ROUTER_PATHS = ['/_app/env.js', '/_app/remote/*'] as const;
export const IMMUTABLE_PATH = '/_app/immutable/*';
export const ASSETS_PATH = '/_app/*';

/**
 * The project system: how tenant traffic reaches tenants. One distribution for every tenant
 * (`{project}.{domainName}`), two CloudFront Functions reading the route cache KeyValueStore, the
 * project bucket behind origin access control, the router Lambda behind a function URL that only
 * the distribution can call, and the per-project stack template the pipeline deploys per tenant.
 */
export class ProjectSystem extends Construct {
  /** The prerendered-route cache the functions read and the release step writes. */
  readonly routeCache: cloudfront.KeyValueStore;
  /** The one distribution shared by all tenants. */
  readonly distribution: cloudfront.Distribution;
  /**
   * The multi-tenant (`ConnectionMode: tenant-only`) twin of `distribution` for custom domains:
   * the same origins, behaviors and functions; each verified custom domain is one of its
   * distribution tenants, with a CloudFront-managed certificate (custom-domain-distribution.ts).
   */
  readonly customDomains: CustomDomainDistribution;
  /** Invokes `slipway-project-{project}:live` for dynamic requests. */
  readonly routerFunction: lambda.Function;
  readonly routerUrl: lambda.FunctionUrl;
  /** The shared value CloudFront adds as `x-slipway-origin-secret` and the router checks. */
  readonly originSecret: secretsmanager.Secret;
  /** Its value as the router and the distributions use it (a dynamic reference, pinned to a version on rotation). */
  readonly originSecretValue: string;
  /** https URL of the per-project stack template (CloudFormation TemplateURL). */
  readonly projectStackTemplateUrl: string;
  /** The per-project template's version (`projectTemplateVersion`): the tag every created or updated stack gets. */
  readonly projectStackTemplateVersion: string;
  readonly projectStackTemplate: s3assets.Asset;
  /** The synthesized per-project template on disk (the asset's source). */
  readonly projectStackTemplateFile: string;
  /** SSM parameter naming the project bucket, read by every per-project stack. */
  readonly codeBucketParameter: ssm.StringParameter;
  /** CloudFormation's service role for tenant stacks, and the boundary of every tenant role. */
  readonly tenantStackRole: TenantStackRole;
  readonly assetsFunction: cloudfront.Function;
  readonly viewerRequestFunction: cloudfront.Function;
  private readonly projectBucketArn: string;

  constructor(scope: Construct, id: string, props: ProjectSystemProps) {
    super(scope, id);
    const { storage } = props;
    if (props.domainName && !props.certificateArn)
      throw new Error('ProjectSystem: domainName needs certificateArn (us-east-1, *.domainName)');
    const access = props.routerAccess ?? 'oac';
    this.projectBucketArn = storage.projectBucket.bucketArn;

    this.routeCache = new cloudfront.KeyValueStore(this, 'RouteCache', {
      comment: 'Slipway route cache: live deployment per project, prerendered/static routes per deployment',
    });
    this.assetsFunction = new cloudfront.Function(this, 'AssetsRequest', {
      comment: 'Slipway: /_app/* assets of the live deployment',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.routeCache,
      code: cloudfront.FunctionCode.fromInline(edgeFunctionSource('assets-request.js', props.domainName)),
    });
    this.viewerRequestFunction = new cloudfront.Function(this, 'ViewerRequest', {
      comment: 'Slipway: prerendered/static pages, else tag for the router',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.routeCache,
      code: cloudfront.FunctionCode.fromInline(edgeFunctionSource('viewer-request.js', props.domainName)),
    });

    // The origin secret travels as a dynamic reference: the templates show only the secret's ARN.
    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: 'Slipway: header value CloudFront adds to router requests (x-slipway-origin-secret)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    // Pinned to a version when the operator rotates: a new version id is a new reference text, so
    // CloudFormation updates the router's variable and the origin header together.
    const secretValue = (
      props.originSecretVersion
        ? SecretValue.secretsManager(this.originSecret.secretArn, { versionId: props.originSecretVersion })
        : this.originSecret.secretValue
    ).unsafeUnwrap();
    this.originSecretValue = secretValue;
    acknowledge(this.originSecret, {
      'AwsSolutions-SMG4':
        'CloudFront and the router read the value through CloudFormation dynamic references at deploy time; a rotation Lambda would break the router until the next deploy. Rotate by putting a new value and deploying with -c originSecretVersion=<its VersionId> (both sides change together; docs/DEPLOY-AWS.md).',
    });

    this.routerFunction = handlerFunction(this, 'Router', {
      handler: 'router/lambda/handler.handler',
      description: 'Slipway router: invokes the tenant function of a tagged request',
      memorySize: 1024,
      // It streams a tenant's response for as long as the tenant runs, and outlives the longest
      // timeout a subscription may give a tenant function (infra/aws/shared/timeouts.ts).
      timeout: Duration.seconds(TIMEOUTS.router),
      environment: {
        SLIPWAY_ORIGIN_SECRET: secretValue,
        ...(props.clientAddressDepth ? { SLIPWAY_CLIENT_ADDRESS_DEPTH: String(props.clientAddressDepth) } : {}),
      },
    });
    // The router may invoke tenants' qualified functions — the version a route-cache pointer
    // names, live or preview — and nothing else (beside its logs and traces).
    // lambda:InvokeFunction is also the action InvokeWithResponseStream requires.
    // Never the unqualified function ($LATEST), which may hold any recent deployment's code.
    this.routerFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [
          Stack.of(this).formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: `${tenantFunctionName('*', stageOf(this))}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    acknowledge(this.routerFunction, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
        'The AWS managed basic execution role only lets the router write its own CloudWatch logs.',
      'AwsSolutions-IAM5[Resource::*]':
        'xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) support no resource-level permissions; nothing else uses "*".',
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:${nagText(Stack.of(this).region, 'AWS::Region')}:${nagText(Stack.of(this).account, 'AWS::AccountId')}:function:${tenantFunctionName('*', stageOf(this))}:*]`]:
        "The router invokes whichever tenant a request is tagged with: the tenant function's version its live or preview pointer names (<tenant function>:<qualifier>, never the unqualified $LATEST), in this account, region and stage, and nothing else.",
      'AwsSolutions-L1':
        'Every Slipway Lambda uses the runtime pinned once in handlerFunction() (Node 22, the version the handlers and the local back end are built and tested with).',
    });
    this.routerUrl = this.routerFunction.addFunctionUrl({
      authType: access === 'oac' ? lambda.FunctionUrlAuthType.AWS_IAM : lambda.FunctionUrlAuthType.NONE,
      // The router streams (awslambda.streamifyResponse): streamed pages and event streams reach
      // the viewer as the tenant writes them, and no 6 MB buffered limit applies.
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    const routerOriginProps = {
      originId: ROUTER_ORIGIN_ID,
      customHeaders: { [ORIGIN_SECRET_HEADER]: secretValue },
      readTimeout: Duration.seconds(TIMEOUTS.originRead),
    };
    const routerOrigin =
      access === 'oac'
        ? origins.FunctionUrlOrigin.withOriginAccessControl(this.routerUrl, routerOriginProps)
        : new origins.FunctionUrlOrigin(this.routerUrl, routerOriginProps);

    const bucketOrigin = origins.S3BucketOrigin.withOriginAccessControl(storage.projectBucket, {
      originId: BUCKET_ORIGIN_ID,
      // LIST only turns a missing key into 404 instead of 403; the functions build every key.
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    });

    const immutablePolicy = new cloudfront.CachePolicy(this, 'ImmutableAssetsCache', {
      comment: 'Slipway: /_app/immutable/* (content-hashed, keyed by deployment prefix)',
      minTtl: Duration.days(365),
      defaultTtl: Duration.days(365),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const assetsPolicy = new cloudfront.CachePolicy(this, 'AssetsCache', {
      comment: 'Slipway: other /_app/* files (short TTL)',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.minutes(1),
      maxTtl: Duration.minutes(5),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    // Default behavior: prerendered/static pages (uri rewritten to the deployment prefix: the key
    // is per tenant and deployment) and dynamic requests (uri untouched: the tags, query and
    // cookies keep tenants apart). Nothing is cached unless the origin says so (default TTL 0):
    // promote marks pages `s-maxage=60`; tenant responses are cached only when they ask for it.
    const pagesPolicy = new cloudfront.CachePolicy(this, 'PagesCache', {
      comment: 'Slipway: pages and router (origin decides, short cap)',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.minutes(5),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('x-slipway-host', 'x-slipway-deployment'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.all(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const securityHeaders: cloudfront.ResponseSecurityHeadersBehavior = {
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.SAMEORIGIN, override: false },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: false },
    };
    const headersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Slipway: security headers for tenant responses',
      securityHeadersBehavior: securityHeaders,
    });
    const immutableHeaders = new cloudfront.ResponseHeadersPolicy(this, 'ImmutableHeaders', {
      comment: 'Slipway: security headers + one-year browser cache for immutable assets',
      securityHeadersBehavior: securityHeaders,
      customHeadersBehavior: {
        customHeaders: [{ header: 'cache-control', value: 'public, max-age=31536000, immutable', override: true }],
      },
    });

    const viewerRequest: cloudfront.FunctionAssociation[] = [
      { function: this.viewerRequestFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
    ];
    const assetsRequest: cloudfront.FunctionAssociation[] = [
      { function: this.assetsFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
    ];
    const routerBehavior: cloudfront.BehaviorOptions = {
      origin: routerOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headersPolicy,
      functionAssociations: viewerRequest,
      compress: true,
    };
    const assetBehavior = (
      cachePolicy: cloudfront.ICachePolicy,
      responseHeadersPolicy: cloudfront.IResponseHeadersPolicy,
    ): cloudfront.BehaviorOptions => ({
      origin: bucketOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachePolicy,
      responseHeadersPolicy,
      functionAssociations: assetsRequest,
      compress: true,
    });

    const certificate = props.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined;
    // What both distributions serve: the same origins, behaviors, policies and functions.
    const serving = {
      defaultBehavior: {
        origin: bucketOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy: pagesPolicy,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: headersPolicy,
        functionAssociations: viewerRequest,
        compress: true,
      },
      // Order matters: CloudFront takes the first matching pattern.
      additionalBehaviors: {
        [ROUTER_PATHS[0]]: routerBehavior,
        [ROUTER_PATHS[1]]: routerBehavior,
        [IMMUTABLE_PATH]: assetBehavior(immutablePolicy, immutableHeaders),
        [ASSETS_PATH]: assetBehavior(assetsPolicy, headersPolicy),
      },
    } satisfies Pick<cloudfront.DistributionProps, 'defaultBehavior' | 'additionalBehaviors'>;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Slipway tenants',
      ...serving,
      ...(certificate && props.domainName ? { certificate, domainNames: [`*.${props.domainName}`] } : {}),
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: storage.accessLogBucket,
      logFilePrefix: 'cloudfront/',
    });
    // The router origin is reached through selectRequestOriginById from the default behavior too:
    // it is already part of the distribution through the router behaviors above.
    acknowledge(this.distribution, {
      'AwsSolutions-CFR1': 'Tenants serve the public wherever it is; a geo restriction is left to the self-hoster.',
      'AwsSolutions-CFR2':
        'A WAF web ACL costs a fixed monthly fee the idle platform would otherwise not have; self-hosters can attach one (webAclId). The router refuses requests without the origin secret.',
      ...(certificate
        ? {}
        : {
            'AwsSolutions-CFR4':
              'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; with certificateArn the minimum is TLSv1.2_2021.',
          }),
    });

    this.customDomains = new CustomDomainDistribution(this, 'CustomDomains', serving);

    const codeBucketParameter = props.codeBucketParameterName ?? codeBucketParameterName(stageOf(this));
    this.codeBucketParameter = new ssm.StringParameter(this, 'CodeBucketName', {
      parameterName: codeBucketParameter,
      description: 'Slipway: the project bucket (tenant function code), read by every project stack',
      stringValue: storage.projectBucket.bucketName,
    });
    this.tenantStackRole = new TenantStackRole(this, 'TenantStackRole', {
      projectBucketArn: this.projectBucketArn,
      codeBucketParameterArn: this.codeBucketParameter.parameterArn,
    });

    // The per-project template, synthesized now and published as a file asset.
    const dir = mkdtempSync(join(tmpdir(), 'slipway-project-template-'));
    const file = join(dir, 'project-stack.template.json');
    const template = projectStackTemplate({ codeBucketParameter, stage: stageOf(this) }, { validate: props.validateProjectTemplate });
    writeFileSync(file, `${JSON.stringify(template, null, 1)}\n`);
    this.projectStackTemplateVersion = projectTemplateVersion(template);
    this.projectStackTemplateFile = file;
    this.projectStackTemplate = new s3assets.Asset(this, 'ProjectStackTemplate', { path: file });
    this.projectStackTemplateUrl = this.projectStackTemplate.httpUrl;
  }

  /** What the release and delete steps need on the route cache. */
  grantRouteCacheWrite(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:UpdateKeys'],
      resourceArns: [this.routeCache.keyValueStoreArn],
    });
  }

  /** The environment of a function that uses the route cache (infra/aws/runtime/route-cache.ts). */
  routeCacheEnvironment(): Record<string, string> {
    return { SLIPWAY_ROUTE_CACHE_KVS_ARN: this.routeCache.keyValueStoreArn };
  }

  /**
   * What the caller of CloudFormation createStack/updateStack/deleteStack for a project stack
   * (a state machine role) needs besides the cloudformation actions: read the template and the
   * bucket parameter, and pass the tenant-stack service role, with whose rights CloudFormation
   * then manages the stack's resources. The caller itself holds nothing on tenant resources.
   */
  grantProjectStackDeploy(grantee: iam.IGrantable): void {
    this.projectStackTemplate.grantRead(grantee);
    this.codeBucketParameter.grantRead(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [this.tenantStackRole.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    });
    if (Construct.isConstruct(grantee)) {
      const account = nagText(Stack.of(this).account, 'AWS::AccountId');
      const region = nagText(Stack.of(this).region, 'AWS::Region');
      acknowledge(grantee, {
        'AwsSolutions-IAM5[Action::s3:GetObject*]': 'CDK read grants on the per-project template asset.',
        'AwsSolutions-IAM5[Action::s3:GetBucket*]': 'CDK read grants on the per-project template asset: bucket metadata only.',
        'AwsSolutions-IAM5[Action::s3:List*]': 'CDK read grants on the per-project template asset.',
        [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`]:
          'The per-project template is a CDK file asset in the bootstrap assets bucket; the grant is CDK’s for that asset.',
      });
    }
  }
}
