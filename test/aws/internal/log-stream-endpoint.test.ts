import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { internalTestStack } from '../support/internal-stack.js';
import type { InternalSystem } from '../../../infra/aws/internal/internal-system.js';
import { LogStreamEndpoint } from '../../../infra/aws/internal/log-stream-endpoint.js';
import type { PlatformStorage } from '../../../infra/aws/storage/platform-storage.js';
import { HEARTBEAT_MS } from '../../../handlers/api/routes/deployment-logs.js';
import { STREAM_END_MARGIN_MS } from '../../../handlers/api/stream-limits.js';
import { API_BASE } from '../../../handlers/api/openapi.js';
import { ROUTES } from '../../../handlers/api/routes/index.js';

/**
 * Live build logs on AWS in the synthesized template: the stream route's own Lambda behind a
 * RESPONSE_STREAM function URL, served by the dashboard distribution at the route's own path.
 */
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
interface Behavior {
  PathPattern: string;
  TargetOriginId: string;
  AllowedMethods: string[];
  CachePolicyId: string;
  OriginRequestPolicyId: string;
  Compress: boolean;
  ViewerProtocolPolicy: string;
}
interface Origin {
  Id: string;
  DomainName: unknown;
  OriginAccessControlId?: unknown;
  CustomOriginConfig: { OriginReadTimeout?: number; OriginProtocolPolicy: string };
}

let stack: Stack;
let storage: PlatformStorage;
let internal: InternalSystem;
let template: Template;
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  ({ stack, storage, internal } = internalTestStack());
  template = Template.fromStack(stack);
}, 120_000);

function distributionConfig() {
  const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as {
    Properties: { DistributionConfig: { Origins: Origin[]; CacheBehaviors: Behavior[] } };
  };
  return distribution.Properties.DistributionConfig;
}

/** CloudFront's path pattern matching: `*` is any run of characters (slashes too), `?` one; case-sensitive. */
function patternMatches(pattern: string, path: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(path);
}

/** A concrete request path of a route: each `{param}` filled in. */
const samplePath = (path: string) => `${API_BASE}${path.replace(/\{[^}]+\}/g, 'x1')}`;

describe('log stream: function URL', () => {
  it('streams the response (RESPONSE_STREAM), with the function authenticating callers (auth type NONE)', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(internal.logStream.function), 'Arn'] },
    });
    // Since October 2025 a function URL needs both actions in the function's policy.
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (p) => (p as { Properties: Record<string, unknown> }).Properties,
    );
    const ofStream = permissions.filter(
      (p) => JSON.stringify(p.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [logicalId(internal.logStream.function), 'Arn'] }),
    );
    expect(ofStream).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true }),
      ]),
    );
    expect(ofStream).toHaveLength(2);
  });

  it('runs the stream route alone for up to 15 minutes, ending its stream before that', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'handlers/api/log-stream-lambda.handler',
      Timeout: 900,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          SLIPWAY_TABLE: { Ref: logicalId(storage.table) },
          SLIPWAY_BUILD_BUCKET: { Ref: logicalId(storage.buildBucket) },
          SLIPWAY_ADMIN_TOKEN_SECRET_ARN: { Ref: logicalId(internal.adminTokenSecret) },
          SLIPWAY_SESSION_SECRET_ARN: { Ref: logicalId(internal.sessionSecret) },
        }),
      },
    });
    const fn = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'handlers/api/log-stream-lambda.handler' } });
    const variables = Object.keys(
      (Object.values(fn)[0] as { Properties: { Environment: { Variables: object } } }).Properties.Environment.Variables,
    );
    // No state machine to start, no key to seal or sign with.
    expect(variables.filter((name) => /STATE_MACHINE|TICKET|ENV_SECRET|GITHUB/.test(name))).toEqual([]);
    expect(LogStreamEndpoint.TIMEOUT.toMilliseconds()).toBeGreaterThan(STREAM_END_MARGIN_MS);
  });

  it('holds only reads: records, log chunks, the build execution status, the two auth secrets', () => {
    const roleId = stack.getLogicalId(internal.logStream.function.role?.node.defaultChild as CfnElement);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
    const statements = Object.values(policies).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid ?? 'tracing', s]));
    expect(Object.fromEntries(Object.entries(bySid).map(([sid, s]) => [sid, [s.Action].flat().sort()]))).toEqual({
      tracing: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
      PlatformRecordsRead: ['dynamodb:GetItem'],
      BuildLogsList: ['s3:ListBucket'],
      BuildLogsRead: ['s3:GetObject'],
      BuildExecutionStatus: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      BuildStateMachineGraph: ['states:DescribeStateMachine'],
      AuthSecrets: ['secretsmanager:GetSecretValue'],
    });
    expect(bySid.PlatformRecordsRead?.Resource).toEqual({ 'Fn::GetAtt': [logicalId(storage.table), 'Arn'] });
    expect(bySid.BuildLogsList?.Condition).toEqual({ StringLike: { 's3:prefix': ['builds/*'] } });
    expect(bySid.BuildLogsRead?.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(storage.buildBucket), 'Arn'] }, '/builds/*/log/*']],
    });
    expect(JSON.stringify(bySid.BuildExecutionStatus?.Resource)).toMatch(/:execution:slipway-build-and-deploy:\*"/);
    expect(JSON.stringify(bySid.BuildStateMachineGraph?.Resource)).toMatch(/:stateMachine:slipway-build-and-deploy"/);
    expect(bySid.AuthSecrets?.Resource).toEqual([
      { Ref: logicalId(internal.adminTokenSecret) },
      { Ref: logicalId(internal.sessionSecret) },
    ]);
  });
});

describe('log stream: the dashboard distribution serves it at the API path', () => {
  it('matches the two stream routes, and no other route of the API', () => {
    const stream = ROUTES.filter((declared) => patternMatches(LogStreamEndpoint.PATH_PATTERN, samplePath(declared.path)));
    expect(stream.map((declared) => declared.operationId).sort()).toEqual(['streamDeploymentExecution', 'streamDeploymentLogs']);
    expect(patternMatches(LogStreamEndpoint.PATH_PATTERN, '/api/v1/projects/site/deployments/d-abc-0000/logs')).toBe(false);
    expect(patternMatches(LogStreamEndpoint.PATH_PATTERN, '/api/v1/projects/site/deployments/d-abc-0000/execution')).toBe(false);
    expect(patternMatches(LogStreamEndpoint.PATH_PATTERN, '/api/v1/projects/site/deployments/d-abc-0000/execution/stream')).toBe(true);
  });

  it('routes the pattern to the function URL ahead of /api/*, uncached, with every viewer header but Host', () => {
    const config = distributionConfig();
    const patterns = config.CacheBehaviors.map((b) => b.PathPattern);
    // CloudFront takes the first behavior whose pattern matches.
    expect(patterns.indexOf(LogStreamEndpoint.PATH_PATTERN)).toBeGreaterThanOrEqual(0);
    expect(patterns.indexOf(LogStreamEndpoint.PATH_PATTERN)).toBeLessThan(patterns.indexOf('/api/*'));
    const behavior = config.CacheBehaviors.find((b) => b.PathPattern === LogStreamEndpoint.PATH_PATTERN) as Behavior;
    expect(behavior).toMatchObject({
      AllowedMethods: ['GET', 'HEAD'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader: Authorization, cookies, Last-Event-ID pass
      Compress: false,
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    const origin = config.Origins.find((o) => o.Id === behavior.TargetOriginId) as Origin;
    // The function URL's host: Fn::Select 2 of its URL split on "/".
    expect(JSON.stringify(origin.DomainName)).toContain(`"${logicalId(internal.logStream.url)}","FunctionUrl"`);
    // No origin access control: it would replace the caller's Authorization header with its signature.
    expect(origin.OriginAccessControlId).toBeUndefined();
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });

  it('waits longer for the next packet than the route lets pass between heartbeats', () => {
    const config = distributionConfig();
    const behavior = config.CacheBehaviors.find((b) => b.PathPattern === LogStreamEndpoint.PATH_PATTERN) as Behavior;
    const origin = config.Origins.find((o) => o.Id === behavior.TargetOriginId) as Origin;
    expect(origin.CustomOriginConfig.OriginReadTimeout).toBe(LogStreamEndpoint.READ_TIMEOUT.toSeconds());
    expect((origin.CustomOriginConfig.OriginReadTimeout ?? 30) * 1000).toBeGreaterThanOrEqual(2 * HEARTBEAT_MS);
  });
});
