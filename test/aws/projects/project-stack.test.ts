import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_BOUNDARY_POLICY_NAME, projectStackTemplate } from '../../../infra/aws/projects/project-stack.js';
import { RUNTIME_ENV_PARAMETER, RUNTIME_ENV_VARIABLE } from '../../../handlers/lib/project-settings/function-environment.js';
import { bindPlatform } from '../../../handlers/lib/bindings/platform.js';
import { awsPlatformSettings } from '../../../infra/aws/runtime/platform-settings.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let raw: Json;
let template: Template;

beforeAll(() => {
  raw = projectStackTemplate();
  template = Template.fromJSON(raw);
});

describe('per-project stack template', () => {
  it('takes Project and DeploymentId (default none) and needs no bootstrap or assets', () => {
    expect(raw.Parameters.Project.AllowedPattern).toBe('^(?!.*--)[a-z][a-z0-9-]{1,38}[a-z0-9]$');
    // No LiveDeploymentId: production follows the route-cache pointer, not a stack parameter.
    expect(raw.Parameters.LiveDeploymentId).toBeUndefined();
    expect(raw.Parameters.DeploymentId.Default).toBe('none');
    expect(raw.Parameters.BootstrapVersion).toBeUndefined();
    expect(raw.Rules).toBeUndefined();
    expect(JSON.stringify(raw)).not.toMatch(/cdk-hnb659fds|AssetParameters|CDKMetadata/);
  });

  it('creates no function or version while DeploymentId is none, and no alias at all', () => {
    expect(raw.Conditions.HasDeployment).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DeploymentId' }, 'none'] }] });
    expect(template.findResources('AWS::Lambda::Function').Function!.Condition).toBe('HasDeployment');
    expect(template.findResources('AWS::Lambda::Version').Version!.Condition).toBe('HasDeployment');
    // An alias would be something a stack update moves before Release: the router invokes versions only.
    expect(template.findResources('AWS::Lambda::Alias')).toEqual({});
    expect(Object.keys(template.findResources('AWS::Lambda::Version'))).toEqual(['Version']);
  });

  it('runs server/handler.handler on Node 22 arm64 from the deployment function.zip in the project bucket', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: { 'Fn::Sub': 'slipway-project-${Project}' },
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'server/handler.handler',
      Code: { S3Bucket: { Ref: 'CodeBucket' }, S3Key: { 'Fn::Sub': '${Project}/deployments/${DeploymentId}/function.zip' } },
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: 'Logs' } }),
    });
    expect(raw.Parameters.CodeBucket.Type).toBe('AWS::SSM::Parameter::Value<String>');
  });

  it('publishes a version per deployment, kept when replaced and named by the DeploymentVersion output', () => {
    template.hasResourceProperties('AWS::Lambda::Version', {
      FunctionName: { Ref: 'Function' },
      Description: { 'Fn::Sub': 'deployment ${DeploymentId}' },
    });
    const version = template.findResources('AWS::Lambda::Version').Version!;
    // A later deployment replaces the resource; the live or preview pointer still naming the old version must keep it.
    expect(version.UpdateReplacePolicy).toBe('Retain');
    expect(version.DeletionPolicy).toBe('Retain');
    expect(raw.Outputs.DeploymentVersion.Value).toEqual({ 'Fn::GetAtt': ['Version', 'Version'] });
    expect(raw.Outputs.DeploymentVersion.Condition).toBe('HasDeployment');
    expect(Object.keys(raw.Outputs)).toEqual(['DeploymentVersion']);
  });

  it('keeps logs for a bounded time', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Sub': '/aws/lambda/slipway-project-${Project}' },
      RetentionInDays: 30,
    });
  });

  it('gives the tenant function a role that can only write its own logs', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as Json[];
    expect(roles).toHaveLength(1);
    const role = roles[0]!.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    // Bounded by the platform's tenant boundary (test/aws/permissions/tenant-stack-role.test.ts checks what it allows).
    expect(role.PermissionsBoundary).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${TENANT_BOUNDARY_POLICY_NAME}`,
    });
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const statements = (role.Policies as Json[]).flatMap((p) => p.PolicyDocument.Statement as Json[]);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['Logs', 'Arn'] } },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  it("puts the deployment's runtime variables into the function's environment from a NoEcho parameter, and nowhere else", () => {
    const parameter = raw.Parameters[RUNTIME_ENV_PARAMETER];
    expect(parameter).toMatchObject({ Type: 'String', NoEcho: true, Default: '{}' });
    const fn = template.findResources('AWS::Lambda::Function').Function!;
    expect(fn.Properties.Environment.Variables).toEqual({
      NODE_ENV: 'production',
      SLIPWAY_PROJECT: { Ref: 'Project' },
      SLIPWAY_DEPLOYMENT_ID: { Ref: 'DeploymentId' },
      [RUNTIME_ENV_VARIABLE]: { Ref: RUNTIME_ENV_PARAMETER },
    });
    // NoEcho masks DescribeStacks' Parameters only: an output, metadata or another resource naming it would show it.
    const { Parameters: _parameters, ...rest } = raw;
    const elsewhere = JSON.stringify({ ...rest, Resources: { ...raw.Resources, Function: undefined } });
    expect(elsewhere).not.toContain(RUNTIME_ENV_PARAMETER);
    expect(JSON.stringify(fn)).toContain(RUNTIME_ENV_PARAMETER);
    // No KMS key of its own: Lambda encrypts the environment at rest with its service key, which the
    // tenant role needs no right on (the role and its boundary are checked above and in tenant-stack-role.test.ts).
    expect(fn.Properties.KmsKeyArn).toBeUndefined();
  });

  it("publishes every deployment's version with the environment of that update, so a rollback serves its own variables", () => {
    // A version's properties all require replacement: a new DeploymentId (a deploy, or a rollback to
    // an older one) publishes a new version after the function's update, which the version references.
    const version = template.findResources('AWS::Lambda::Version').Version!;
    expect(version.Properties.FunctionName).toEqual({ Ref: 'Function' });
    expect(JSON.stringify(version.Properties.Description)).toContain('${DeploymentId}');
    // The environment is a property of the function the version is published from, not of the version:
    // the version freezes whatever the same update set.
    expect(JSON.stringify(version)).not.toContain(RUNTIME_ENV_PARAMETER);
  });

  it('reserves concurrency only when asked', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: { 'Fn::If': ['HasReservedConcurrency', { Ref: 'ReservedConcurrency' }, { Ref: 'AWS::NoValue' }] },
    });
  });
});

describe('router Lambda entry point (what a direct call to the function URL gets)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function event(headers: Record<string, string>): APIGatewayProxyEventV2 {
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers,
      requestContext: { domainName: 'abc.lambda-url.eu-west-1.on.aws', http: { method: 'GET', path: '/' } },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
  }

  it('refuses requests without the origin secret, with a wrong one, or without the tags', async () => {
    // The Lambda runtime's region, for the SDK; the origin secret as the bundle's entry binds it from CDK's environment.
    process.env.AWS_REGION = 'eu-west-1';
    bindPlatform(awsPlatformSettings({ SLIPWAY_ORIGIN_SECRET: 'the-secret-only-cloudfront-knows' }));
    const { routeRequest: handler } = await import('../../../router/lambda/handler.js');
    const forged = { 'x-slipway-project': 'hello', 'x-slipway-deployment': 'd-1', 'x-slipway-host': 'hello.apps.example.com' };
    const noSecret = await handler(event(forged));
    expect(noSecret.statusCode).toBe(403);
    expect(String(noSecret.body)).toContain('origin secret');
    expect((await handler(event({ ...forged, 'x-slipway-origin-secret': 'guess' }))).statusCode).toBe(403);
    const untagged = await handler(event({ 'x-slipway-origin-secret': 'the-secret-only-cloudfront-knows' }));
    expect(untagged.statusCode).toBe(403);
    expect(String(untagged.body)).toContain('x-slipway-project');
  });

  it('refuses everything when no secret is configured', async () => {
    bindPlatform(awsPlatformSettings({}));
    const { routeRequest: handler } = await import('../../../router/lambda/handler.js');
    expect((await handler(event({ 'x-slipway-project': 'hello', 'x-slipway-deployment': 'd-1' }))).statusCode).toBe(500);
  });
});
