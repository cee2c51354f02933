import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { internalTestStack } from '../support/internal-stack.js';
import type { InternalSystem } from '../../../infra/aws/internal/internal-system.js';
import type { PlatformStorage } from '../../../infra/aws/storage/platform-storage.js';
import {
  dashboardBundle,
  IMMUTABLE_CACHE_CONTROL,
  MUTABLE_CACHE_CONTROL,
  type DashboardBundle,
} from '../../../infra/aws/internal/dashboard-app.js';
import { LogStreamEndpoint } from '../../../infra/aws/internal/log-stream-endpoint.js';
import { packageRoot } from '../../../infra/package-root.js';
import { APP_MODULE } from '../../../handlers/dashboard/lambda.js';
import { ORIGIN_SECRET_HEADER } from '../../../handlers/dashboard/viewer-event.js';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const actionsOf = (statement: Statement) => [statement.Action].flat().sort();

let app: App;
let stack: Stack;
let bundle: DashboardBundle;
let storage: PlatformStorage;
let internal: InternalSystem;
let template: Template;
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const urlId = (url: IConstruct) => stack.getLogicalId(url.node.defaultChild as CfnElement);

beforeAll(() => {
  ({ app, stack, storage, internal } = internalTestStack());
  template = Template.fromStack(stack);
  bundle = dashboardBundle();
}, 120_000);

interface DistributionConfig {
  Origins: Record<string, unknown>[];
  CacheBehaviors: Record<string, unknown>[];
  DefaultCacheBehavior: Record<string, unknown>;
  Logging?: unknown;
  Aliases?: unknown;
}

function distributionConfig(): DistributionConfig {
  const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as {
    Properties: { DistributionConfig: DistributionConfig };
  };
  return distribution.Properties.DistributionConfig;
}

function dashboardFunctionResource(): {
  Properties: Record<string, unknown> & { Environment: { Variables: Record<string, unknown> } };
  DependsOn?: string[];
} {
  const resource = template.toJSON().Resources[logicalId(internal.dashboardFunction)];
  if (!resource) throw new Error('no dashboard function in the template');
  return resource;
}

describe('internal system: HTTP API', () => {
  it('is an HTTP API whose $default route proxies to the API function (payload 2.0)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', Name: 'slipway-api' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(internal.apiFunction), 'Arn'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
  });

  it('has one $default stage, auto-deployed, throttled, with JSON access logs into a retained log group', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InternalApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
      Properties: { AccessLogSettings: { Format: string } };
    };
    expect(Object.keys(JSON.parse(stage.Properties.AccessLogSettings.Format) as object)).toEqual(
      expect.arrayContaining(['requestId', 'status', 'routeKey', 'latency', 'integrationError']),
    );
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('runs the API handler with the storage, state machine and admin token environment, traced', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'handlers/api/lambda.handler',
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'slipway',
          SLIPWAY_TABLE: { Ref: logicalId(storage.table) },
          SLIPWAY_SOURCE_BUCKET: { Ref: logicalId(storage.sourceBucket) },
          SLIPWAY_BUILD_BUCKET: { Ref: logicalId(storage.buildBucket) },
          SLIPWAY_PROJECT_BUCKET: { Ref: logicalId(storage.projectBucket) },
          SLIPWAY_TICKET_SECRET_ARN: { Ref: logicalId(storage.ticketSecret) },
          SLIPWAY_ADMIN_TOKEN_SECRET_ARN: { Ref: logicalId(internal.adminTokenSecret) },
          SLIPWAY_SESSION_SECRET_ARN: { Ref: logicalId(internal.sessionSecret) },
          SLIPWAY_STATE_MACHINE_INIT_PROJECT: { 'Fn::Join': ['', Match.arrayWith([':stateMachine:slipway-init-project'])] },
          SLIPWAY_STATE_MACHINE_BUILD_DEPLOY: { 'Fn::Join': ['', Match.arrayWith([':stateMachine:slipway-build-and-deploy'])] },
          SLIPWAY_STATE_MACHINE_DELETE_PROJECT: { 'Fn::Join': ['', Match.arrayWith([':stateMachine:slipway-delete-project'])] },
          SLIPWAY_STATE_MACHINE_ROLLBACK: { 'Fn::Join': ['', Match.arrayWith([':stateMachine:slipway-rollback'])] },
        }),
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
  });
});

describe('internal system: platform table', () => {
  it('keeps point-in-time recovery on and expires items by expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: Match.arrayWith([Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })]),
    });
  });
});

describe('internal system: API role (least privilege)', () => {
  const apiStatements = (): Statement[] => {
    const roleId = stack.getLogicalId(internal.apiFunction.role?.node.defaultChild as CfnElement);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
    return Object.values(policies).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
  };

  it('holds exactly these actions, statement by statement', () => {
    const statements = apiStatements();
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(Object.fromEntries(statements.map((s) => [s.Sid ?? 'tracing', actionsOf(s)]))).toEqual({
      tracing: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
      StartPipelineExecutions: ['states:ListExecutions', 'states:StartExecution'],
      ReadPipelineDefinitions: ['states:DescribeStateMachine'],
      ReadPipelineExecutions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      // Cancel (POST …/cancel) stops the deployment's execution.
      StopPipelineExecutions: ['states:StopExecution'],
      // BatchGetItem: the projects list reads the live deployments in one batch.
      PlatformRecords: [
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      ProjectIndex: ['dynamodb:Query'],
      SourceUploads: ['s3:GetObject', 's3:PutObject'],
      BuildLogsList: ['s3:ListBucket'],
      BuildLogsRead: ['s3:GetObject'],
      ApiSecrets: ['secretsmanager:GetSecretValue'],
      EnvSecretKey: ['secretsmanager:GetSecretValue'],
    });
    // Only the basic execution role besides: no other managed policy on the API role.
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] },
      ],
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
    });
  });

  it('scopes each statement to its resources', () => {
    const bySid = Object.fromEntries(apiStatements().map((s) => [s.Sid ?? 'tracing', s]));
    const machines = ['slipway-init-project', 'slipway-build-and-deploy', 'slipway-delete-project', 'slipway-rollback'];
    expect(JSON.stringify(bySid.StartPipelineExecutions?.Resource)).toSatisfy((text: string) =>
      machines.every((m) => text.includes(`:stateMachine:${m}"`)),
    );
    expect(bySid.StartPipelineExecutions?.Resource).toHaveLength(4);
    expect(JSON.stringify(bySid.ReadPipelineExecutions?.Resource)).toSatisfy((text: string) =>
      machines.every((m) => text.includes(`:execution:${m}:*"`)),
    );
    expect(bySid.StopPipelineExecutions?.Resource).toEqual(bySid.ReadPipelineExecutions?.Resource);
    expect(bySid.ReadPipelineExecutions?.Resource).toHaveLength(4);
    expect(bySid.PlatformRecords?.Resource).toEqual({ 'Fn::GetAtt': [logicalId(storage.table), 'Arn'] });
    expect(bySid.ProjectIndex?.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(storage.table), 'Arn'] }, '/index/byEntity']],
    });
    expect(bySid.SourceUploads?.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(storage.sourceBucket), 'Arn'] }, '/sources/*']],
    });
    expect(bySid.BuildLogsList?.Resource).toEqual({ 'Fn::GetAtt': [logicalId(storage.buildBucket), 'Arn'] });
    expect(bySid.BuildLogsList?.Condition).toEqual({ StringLike: { 's3:prefix': ['builds/*'] } });
    expect(bySid.BuildLogsRead?.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(storage.buildBucket), 'Arn'] }, '/builds/*/log/*']],
    });
    expect(bySid.ApiSecrets?.Resource).toEqual([
      { Ref: logicalId(storage.ticketSecret) },
      { Ref: logicalId(internal.adminTokenSecret) },
      { Ref: logicalId(internal.sessionSecret) },
    ]);
    expect(bySid.EnvSecretKey?.Resource).toEqual({ Ref: logicalId(storage.envSecret) });
    expect(bySid.tracing?.Resource).toBe('*');
  });

  it('has nothing on the project bucket, Batch, CloudFormation or Lambda, and no wildcard actions', () => {
    const statements = apiStatements();
    const projectBucket = logicalId(storage.projectBucket);
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).not.toContain(projectBucket);
      for (const action of actionsOf(statement)) {
        expect(action).not.toMatch(/^(batch|cloudformation|lambda|iam|sts):/);
        expect(action).not.toContain('*');
      }
    }
    // No statement anywhere in the stack grants the API role (or any role of this construct) on the project bucket.
    const everyPolicy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(everyPolicy).not.toContain(projectBucket);
  });

  it('gives the dashboard server function nothing but tracing', () => {
    const roleId = stack.getLogicalId(internal.dashboardFunction.role?.node.defaultChild as CfnElement);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
    const statements = Object.values(policies).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });
});

describe('internal system: dashboard', () => {
  it('serves the build files from the private bucket through an S3 origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(storage.accessLogBucket) }, LogFilePrefix: 'DashboardBucket/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(internal.dashboardBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('has one distribution: stream, /api/*, the build files, then the server function by default, logged', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const config = distributionConfig();
    const originOf = (targetId: unknown) => config.Origins.find((o) => o.Id === targetId) as Record<string, unknown>;

    // CloudFront takes the first pattern that matches: the stream before /api/*, and no /_app/* catch-all
    // (/_app/env.js and /_app/remote/* are the server's).
    const patterns = config.CacheBehaviors.map((b) => b.PathPattern);
    const apiAt = patterns.indexOf('/api/*');
    expect(patterns.slice(0, apiAt)).toContain(LogStreamEndpoint.PATH_PATTERN);
    for (const stream of config.CacheBehaviors.slice(0, apiAt)) {
      expect(JSON.stringify(originOf(stream.TargetOriginId).DomainName), String(stream.PathPattern)).toContain(
        urlId(internal.logStream.url),
      );
    }
    expect(patterns.slice(apiAt + 1)).toEqual(['/_app/immutable/*', '/_app/version.json', ...Object.keys(bundle.manifest.static)]);
    expect(Object.keys(bundle.manifest.static)).toContain('/favicon.svg');

    const api = config.CacheBehaviors.find((b) => b.PathPattern === '/api/*') as Record<string, unknown>;
    expect(api).toMatchObject({
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'DELETE', 'PUT', 'PATCH']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    expect(originOf(api.TargetOriginId)).toMatchObject({
      DomainName: {
        'Fn::Join': ['', [{ Ref: logicalId(internal.api) }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
      },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only' },
    });

    for (const behavior of config.CacheBehaviors.slice(apiAt + 1)) {
      const origin = originOf(behavior.TargetOriginId);
      expect(origin.DomainName, String(behavior.PathPattern)).toEqual({
        'Fn::GetAtt': [logicalId(internal.dashboardBucket), 'RegionalDomainName'],
      });
      expect(JSON.stringify(origin.OriginAccessControlId)).toMatch(/S3OriginAccessControl/);
      expect(behavior).toMatchObject({
        AllowedMethods: ['GET', 'HEAD'],
        CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', // CachingOptimized: the objects' Cache-Control
        ViewerProtocolPolicy: 'redirect-to-https',
      });
    }

    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logicalId(storage.accessLogBucket), 'RegionalDomainName'] },
      Prefix: 'dashboard-cdn/',
    });
    expect(config.Aliases).toBeUndefined();
  });

  it('sends everything else to the server function: all methods, uncached, the origin secret added, the viewer host tagged', () => {
    const config = distributionConfig();
    const behavior = config.DefaultCacheBehavior;
    expect(behavior).toMatchObject({
      AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader: cookies, query, bodies
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    const origin = config.Origins.find((o) => o.Id === behavior.TargetOriginId) as Record<string, unknown>;
    expect(JSON.stringify(origin.DomainName)).toContain(urlId(internal.dashboardUrl));
    // No origin access control: it would make browsers sign every POST body (x-amz-content-sha256).
    expect(origin.OriginAccessControlId).toBeUndefined();
    const secretHeader = (origin.OriginCustomHeaders as Array<{ HeaderName: string; HeaderValue: unknown }>).find(
      (h) => h.HeaderName === ORIGIN_SECRET_HEADER,
    );
    expect(JSON.stringify(secretHeader?.HeaderValue)).toContain('{{resolve:secretsmanager:');
    const fn = dashboardFunctionResource();
    expect(fn.Properties.Environment.Variables.SLIPWAY_ORIGIN_SECRET).toEqual(secretHeader?.HeaderValue);

    // The viewer-request function is the file the wrapper's tests run (handlers/dashboard/viewer-request.js).
    const [association] = behavior.FunctionAssociations as Array<{ EventType: string; FunctionARN: unknown }>;
    expect(association?.EventType).toBe('viewer-request');
    const functions = template.findResources('AWS::CloudFront::Function');
    const viewerHost = Object.entries(functions).find(([id]) => JSON.stringify(association?.FunctionARN).includes(id));
    expect((viewerHost?.[1] as { Properties: { FunctionCode: string } } | undefined)?.Properties.FunctionCode).toBe(
      readFileSync(join(packageRoot(), 'handlers', 'dashboard', 'viewer-request.js'), 'utf8'),
    );
  });

  it('reaches the server function through a streaming function URL with auth type NONE (the origin secret guards it)', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(internal.dashboardFunction), 'Arn'] },
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1); // the bucket's only
  });

  it("runs the built dashboard: the code is the adapter's server/ unchanged beside the entry that checks the secret", () => {
    const fn = dashboardFunctionResource();
    expect(fn.Properties).toMatchObject({
      Handler: 'handlers/dashboard/lambda.handler',
      Runtime: 'nodejs22.x',
      TracingConfig: { Mode: 'Active' },
    });
    // The code's S3 key is its asset hash; the assembly holds the asset's files under that hash.
    const key = (fn.Properties.Code as { S3Key: string }).S3Key;
    const code = join(app.synth().directory, `asset.${key.replace(/\.zip$/, '')}`);
    const server = join(bundle.directory, 'server');
    for (const file of ['handler.js', 'package.json', ...readdirSync(join(server, 'chunks')).map((c) => `chunks/${c}`)]) {
      expect(readFileSync(join(code, 'handlers/dashboard/app', file), 'utf8'), file).toBe(readFileSync(join(server, file), 'utf8'));
    }
    const entry = readFileSync(join(code, 'handlers/dashboard/lambda.js'), 'utf8');
    expect(entry).toContain(APP_MODULE);
    // The app is imported at run time, not bundled into the entry a second time.
    expect(entry).not.toContain('slipway-entry');
  });

  it('puts client/ into the bucket without pruning, hashed files cached for a year, before the new function code', () => {
    const deployments = template.findResources('Custom::CDKBucketDeployment');
    expect(Object.keys(deployments)).toHaveLength(2);
    const props = Object.values(deployments).map((d) => (d as { Properties: Record<string, unknown> }).Properties);
    for (const p of props) {
      expect(p.Prune).toBe(false);
      expect(p.DestinationBucketName).toEqual({ Ref: logicalId(internal.dashboardBucket) });
    }
    const immutable = props.find((p) => p.DestinationBucketKeyPrefix === '_app/immutable/');
    expect(immutable?.SystemMetadata).toEqual({ 'cache-control': IMMUTABLE_CACHE_CONTROL });
    const rest = props.find((p) => p.DestinationBucketKeyPrefix === undefined);
    expect(rest?.SystemMetadata).toEqual({ 'cache-control': MUTABLE_CACHE_CONTROL });
    expect(dashboardFunctionResource().DependsOn).toEqual(expect.arrayContaining(Object.keys(deployments)));
  });

  it('lets anyone invoke the function URL (it refuses requests without the origin secret itself)', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionName: { 'Fn::GetAtt': [logicalId(internal.dashboardFunction), 'Arn'] },
      FunctionUrlAuthType: 'NONE',
      Principal: '*',
    });
  });

  it('gives the API the dashboard distribution as its public URL (API Gateway never sees the viewer host)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'handlers/api/lambda.handler',
      Environment: {
        Variables: Match.objectLike({
          SLIPWAY_PUBLIC_URL: {
            'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(internal.dashboardDistribution), 'DomainName'] }]],
          },
        }),
      },
    });
  });

  it('refuses to synthesize without the built dashboard, naming the command', () => {
    const empty = mkdtempSync(join(tmpdir(), 'slipway-no-dashboard-'));
    try {
      expect(() => internalTestStack({ dashboardBundleDirectory: empty })).toThrow(/run `npm run build`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('internal system: custom domain', () => {
  it('needs a certificate with a domain name', () => {
    expect(() => internalTestStack({ domainName: 'slipway.example.com' })).toThrow(/needs a certificate/);
  });

  it('serves the dashboard and the API under the domain with TLS 1.2 (its URLs as outputs: test/aws/platform-outputs.test.ts)', () => {
    const { stack: domainStack } = internalTestStack({ domainName: 'slipway.example.com', withCertificate: true });
    const domainTemplate = Template.fromStack(domainStack);
    domainTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['slipway.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' }),
      }),
    });
  }, 120_000);
});

describe('internal system: GitHub App secret', () => {
  it('gives the API the GitHub secret (webhook signatures, OAuth sign-in) and the right to read exactly it', () => {
    const githubArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slipway-github-AbCdEf';
    const withGithub = internalTestStack({ githubSecretArn: githubArn });
    const t = Template.fromStack(withGithub.stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'handlers/api/lambda.handler',
      Environment: { Variables: Match.objectLike({ SLIPWAY_GITHUB_SECRET_ARN: githubArn }) },
    });
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    const reads = policies.filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(reads)).toContain(githubArn);
    // Without it, no GitHub variable at all.
    expect(JSON.stringify(template.toJSON())).not.toContain('SLIPWAY_GITHUB_SECRET_ARN');
  });
});
