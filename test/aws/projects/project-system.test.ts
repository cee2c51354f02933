import { readFileSync } from 'node:fs';
import { PLATFORM_DOMAIN_LINE } from '../../../infra/aws/projects/edge-function-source.js';
import { App, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectStackTemplate } from '../../../infra/aws/projects/project-stack.js';
import { ProjectSystem } from '../../../infra/aws/projects/project-system.js';
import { PlatformStorage } from '../../../infra/aws/storage/platform-storage.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let template: Template;
let system: ProjectSystem;
let stack: Stack;

beforeAll(() => {
  const app = new App();
  stack = new Stack(app, 'ProjectsTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const storage = new PlatformStorage(stack, 'Storage');
  system = new ProjectSystem(stack, 'Projects', {
    storage,
    domainName: 'apps.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
  });
  const release = new iam.Role(stack, 'ReleaseRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  system.grantRouteCacheWrite(release);
  template = Template.fromStack(stack);
}, 120_000);

/** The standard distribution's config (`*.domain`); its multi-tenant twin for custom domains is test/aws/projects/custom-domains.test.ts's. */
function distributionConfig(): Json {
  const distributions = Object.values(template.findResources('AWS::CloudFront::Distribution')) as Json[];
  expect(distributions).toHaveLength(2);
  const standard = distributions.filter((d) => d.Properties.DistributionConfig.ConnectionMode !== 'tenant-only');
  expect(standard).toHaveLength(1);
  return standard[0]!.Properties.DistributionConfig;
}

function logicalIdOf(type: string, match: (props: Json) => boolean): string {
  const found = Object.entries(template.findResources(type)).filter(([, r]) => match((r as Json).Properties ?? {}));
  expect(found, type).toHaveLength(1);
  return found[0]![0];
}

describe('ProjectSystem (template assertions)', () => {
  it('has two cloudfront-js-2.0 functions, both associated with the one KeyValueStore', () => {
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    const kvs = Object.keys(template.findResources('AWS::CloudFront::KeyValueStore'))[0]!;
    const functions = template.findResources('AWS::CloudFront::Function');
    expect(Object.keys(functions)).toHaveLength(2);
    for (const fn of Object.values(functions) as Json[]) {
      expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
      expect(fn.Properties.FunctionConfig.KeyValueStoreAssociations).toEqual([{ KeyValueStoreARN: { 'Fn::GetAtt': [kvs, 'Arn'] } }]);
      expect(fn.Properties.AutoPublish).toBe(true);
      const code: string = fn.Properties.FunctionCode;
      expect(code.startsWith("import cf from 'cloudfront';")).toBe(true);
      expect(code).not.toContain('__SLIPWAY_');
      expect(Buffer.byteLength(code)).toBeLessThan(10 * 1024);
    }
    const codes = (Object.values(functions) as Json[]).map((fn) => fn.Properties.FunctionCode as string);
    // The files as they are, but for the tenants' parent domain: the stack's domainName, not localhost.
    for (const file of ['assets-request.js', 'viewer-request.js']) {
      const source = readFileSync(new URL(`../../../router/cloudfront/${file}`, import.meta.url), 'utf8');
      expect(source).toContain(PLATFORM_DOMAIN_LINE);
      expect(codes).toContain(source.replace(PLATFORM_DOMAIN_LINE, 'const PLATFORM_DOMAIN = "apps.example.com";'));
    }
  });

  it('routes behaviors to the right function: assets on /_app/*, viewer-request on default and the SvelteKit server paths', () => {
    const config = distributionConfig();
    const assetsFn = logicalIdOf('AWS::CloudFront::Function', (p) => String(p.FunctionCode).includes('/client'));
    const viewerFn = logicalIdOf('AWS::CloudFront::Function', (p) => String(p.FunctionCode).includes('x-slipway-deployment'));
    const fnOf = (behavior: Json) => behavior.FunctionAssociations[0].FunctionARN['Fn::GetAtt'][0];
    expect(fnOf(config.DefaultCacheBehavior)).toBe(viewerFn);
    expect(config.DefaultCacheBehavior.FunctionAssociations[0].EventType).toBe('viewer-request');
    expect(config.DefaultCacheBehavior.AllowedMethods).toHaveLength(7);
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const behaviors = config.CacheBehaviors as Json[];
    expect(behaviors.map((b) => b.PathPattern)).toEqual(['/_app/env.js', '/_app/remote/*', '/_app/immutable/*', '/_app/*']);
    expect(behaviors.map(fnOf)).toEqual([viewerFn, viewerFn, assetsFn, assetsFn]);
    for (const b of behaviors) expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
    // The router behaviors: all methods, caching disabled, all viewer headers but Host.
    for (const b of behaviors.slice(0, 2)) {
      expect(b.TargetOriginId).toBe('router');
      expect(b.AllowedMethods).toHaveLength(7);
      expect(b.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
      expect(b.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    }
    expect(config.DefaultCacheBehavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    for (const b of behaviors.slice(2)) {
      expect(b.TargetOriginId).toBe('bucket');
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    }
  });

  it("forwards CloudFront-Viewer-Address on every behavior that reaches the router (the tenant's client address) and sets the depth on the router", () => {
    const config = distributionConfig();
    // AllViewerExceptHostHeader forwards every viewer header but Host plus all CloudFront headers,
    // CloudFront-Viewer-Address among them (AWS's managed origin request policies).
    const FORWARDS_VIEWER_ADDRESS = new Set(['b689b0a8-53d0-40ab-baf2-68738e2966ac']);
    const toRouter = [config.DefaultCacheBehavior, ...(config.CacheBehaviors as Json[]).filter((b) => b.TargetOriginId === 'router')];
    expect(toRouter).toHaveLength(3);
    for (const behavior of toRouter)
      expect(FORWARDS_VIEWER_ADDRESS.has(behavior.OriginRequestPolicyId), behavior.PathPattern ?? 'default').toBe(true);

    const routerEnv = (props: Json) => props.Environment?.Variables ?? {};
    const routers = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function')).filter(
        (r) => (r as Json).Properties.Handler === 'router/lambda/handler.handler',
      ) as Json[];
    expect(routers(template)).toHaveLength(1);
    expect(routerEnv(routers(template)[0]!.Properties).SLIPWAY_CLIENT_ADDRESS_DEPTH).toBeUndefined();
    const deeperStack = new Stack(new App(), 'Deeper', { env: { account: '123456789012', region: 'eu-west-1' } });
    new ProjectSystem(deeperStack, 'Projects', { storage: new PlatformStorage(deeperStack, 'Storage'), clientAddressDepth: 2 });
    expect(routerEnv(routers(Template.fromStack(deeperStack))[0]!.Properties).SLIPWAY_CLIENT_ADDRESS_DEPTH).toBe('2');
  });

  it('compresses every file the bucket serves, gzip and brotli (what the local edge does like adapter-node)', () => {
    const config = distributionConfig();
    const policies = template.findResources('AWS::CloudFront::CachePolicy');
    const fileBehaviors = [config.DefaultCacheBehavior, ...(config.CacheBehaviors as Json[]).filter((b) => b.TargetOriginId === 'bucket')];
    expect(fileBehaviors).toHaveLength(3);
    for (const behavior of fileBehaviors) {
      expect(behavior.Compress, behavior.PathPattern ?? 'default').toBe(true);
      const policy = policies[behavior.CachePolicyId.Ref] as Json | undefined;
      expect(policy, behavior.PathPattern ?? 'default').toBeDefined();
      expect(policy?.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
      });
    }
  });

  it('caches immutable assets for a year, other assets and pages briefly, keyed per tenant', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ Comment: Match.stringLikeRegexp('immutable'), DefaultTTL: 31536000, MinTTL: 31536000 }),
    });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ Comment: Match.stringLikeRegexp('other /_app'), DefaultTTL: 60, MaxTTL: 300 }),
    });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        Comment: Match.stringLikeRegexp('pages and router'),
        DefaultTTL: 0,
        MaxTTL: 300,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['x-slipway-host', 'x-slipway-deployment'] },
          CookiesConfig: { CookieBehavior: 'all' },
          QueryStringsConfig: { QueryStringBehavior: 'all' },
        }),
      }),
    });
  });

  it('reaches the project bucket through OAC, read-only', () => {
    const config = distributionConfig();
    const bucket = (config.Origins as Json[]).find((o) => o.Id === 'bucket')!;
    expect(bucket.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(bucket.OriginAccessControlId).toBeDefined();
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    const policies = template.findResources('AWS::S3::BucketPolicy');
    const cfStatements = (Object.values(policies) as Json[])
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(cfStatements.length).toBeGreaterThan(0);
    for (const s of cfStatements) {
      const actions = [s.Action].flat();
      expect(actions.every((a: string) => a === 's3:GetObject' || a === 's3:ListBucket')).toBe(true);
      expect(s.Condition.StringEquals['AWS:SourceArn']).toBeDefined();
    }
  });

  it('reaches the router through a function URL with AuthType AWS_IAM, OAC and the origin secret header', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always' }),
    });
    const router = (distributionConfig().Origins as Json[]).find((o) => o.Id === 'router')!;
    expect(router.OriginAccessControlId).toBeDefined();
    expect(router.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    const header = (router.OriginCustomHeaders as Json[]).find((h) => h.HeaderName === 'x-slipway-origin-secret')!;
    // A dynamic reference to Secrets Manager, never the value itself.
    expect(JSON.stringify(header.HeaderValue)).toContain('{{resolve:secretsmanager:');
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: 'cloudfront.amazonaws.com',
      SourceArn: Match.anyValue(),
    });
  });

  it("streams through the router's function URL (RESPONSE_STREAM), for as long as a tenant function may run", () => {
    const fn = logicalIdOf('AWS::Lambda::Function', (p) => p.Handler === 'router/lambda/handler.handler');
    const urls = Object.values(template.findResources('AWS::Lambda::Url')) as Json[];
    const routerUrl = urls.find((url) => url.Properties.TargetFunctionArn['Fn::GetAtt']?.[0] === fn);
    expect(routerUrl?.Properties).toMatchObject({ InvokeMode: 'RESPONSE_STREAM', AuthType: 'AWS_IAM' });
    // A stream lasts as long as the tenant runs: the router outlives the longest tenant timeout.
    expect((template.findResources('AWS::Lambda::Function')[fn] as Json).Properties.Timeout).toBe(900);
    // CloudFront (OAC) may call the router, and only through its URL: both actions a function URL
    // call needs, the plain invoke one limited to calls that come through the URL.
    const urlId = Object.entries(template.findResources('AWS::Lambda::Url')).find(([, url]) => url === routerUrl)?.[0];
    const permissions = (Object.values(template.findResources('AWS::Lambda::Permission')) as Json[])
      .map((permission) => permission.Properties)
      .filter((props) => props.FunctionName?.['Fn::GetAtt']?.[0] === urlId);
    // Once per distribution: the tenants' and the custom domains' (each SourceArn one of them).
    expect(permissions.map((props) => [props.Action, props.Principal, props.InvokedViaFunctionUrl ?? false]).sort()).toEqual([
      ['lambda:InvokeFunction', 'cloudfront.amazonaws.com', true],
      ['lambda:InvokeFunction', 'cloudfront.amazonaws.com', true],
      ['lambda:InvokeFunctionUrl', 'cloudfront.amazonaws.com', false],
      ['lambda:InvokeFunctionUrl', 'cloudfront.amazonaws.com', false],
    ]);
    const distributions = Object.keys(template.findResources('AWS::CloudFront::Distribution')).sort();
    const sources = new Set(permissions.map((props) => JSON.stringify(props.SourceArn)));
    expect(sources.size).toBe(2);
    for (const id of distributions)
      expect(
        [...sources].some((source) => source.includes(`"${id}"`)),
        id,
      ).toBe(true);
  });

  it('runs the router from router/lambda/handler.ts with the origin secret as a dynamic reference', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'router/lambda/handler.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ SLIPWAY_ORIGIN_SECRET: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }) },
    });
    const fn = logicalIdOf('AWS::Lambda::Function', (p) => p.Handler === 'router/lambda/handler.handler');
    const env = JSON.stringify(template.findResources('AWS::Lambda::Function')[fn]!.Properties.Environment);
    expect(env).toContain('{{resolve:secretsmanager:');
  });

  // lambda:InvokeFunction is the action InvokeWithResponseStream requires (the Lambda API reference says so).
  it("gives the router only lambda:InvokeFunction on tenants' qualified functions (the versions pointers name; beside logs and traces)", () => {
    const fn = logicalIdOf('AWS::Lambda::Function', (p) => p.Handler === 'router/lambda/handler.handler');
    const roleId = (template.findResources('AWS::Lambda::Function')[fn] as Json).Properties.Role['Fn::GetAtt'][0];
    const policies = (Object.values(template.findResources('AWS::IAM::Policy')) as Json[]).filter((p) =>
      (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Json[]);
    const nonTrace = statements.filter((s) => ![s.Action].flat().every((a: string) => a.startsWith('xray:')));
    expect(nonTrace).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:eu-west-1:123456789012:function:slipway-project-*:*']] },
      },
    ]);
    const role = template.findResources('AWS::IAM::Role')[roleId] as Json;
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('AWSLambdaBasicExecutionRole');
    expect(role.Properties.Policies).toBeUndefined();
  });

  it('serves *.domain over TLS 1.2+ with the given certificate, logs to the access log bucket, adds security headers', () => {
    const config = distributionConfig();
    expect(config.Aliases).toEqual(['*.apps.example.com']);
    expect(config.ViewerCertificate).toEqual(
      expect.objectContaining({
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
        AcmCertificateArn: expect.stringContaining('us-east-1'),
      }),
    );
    expect(config.Logging.Bucket['Fn::GetAtt'][0]).toMatch(/AccessLogBucket/);
    expect(config.Logging.Prefix).toBe('cloudfront/');
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({ StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31536000 }) }),
      }),
    });
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
  });

  it('grants the route cache writers exactly the KeyValueStore calls they make', () => {
    const kvs = Object.keys(template.findResources('AWS::CloudFront::KeyValueStore'))[0]!;
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ReleaseRole') }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'cloudfront-keyvaluestore:DescribeKeyValueStore',
              'cloudfront-keyvaluestore:GetKey',
              'cloudfront-keyvaluestore:UpdateKeys',
            ],
            Resource: { 'Fn::GetAtt': [kvs, 'Arn'] },
          },
        ],
      },
    });
    expect(stack.resolve(system.routeCacheEnvironment())).toEqual({ SLIPWAY_ROUTE_CACHE_KVS_ARN: { 'Fn::GetAtt': [kvs, 'Arn'] } });
  });

  it('publishes the per-project template as an S3 asset with an https URL', () => {
    const url = stack.resolve(system.projectStackTemplateUrl);
    expect(JSON.stringify(url)).toMatch(/https:\/\/s3\./);
    expect(JSON.stringify(url)).toContain('.json');
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/slipway/project-bucket', Type: 'String' });
    // The asset is the per-project template itself.
    const published = JSON.parse(readFileSync(system.projectStackTemplateFile, 'utf8')) as unknown;
    expect(published).toEqual(projectStackTemplate());
  });
});

describe('ProjectSystem (cdk-nag AwsSolutions)', () => {
  it('has no unacknowledged finding, with or without a custom domain', async () => {
    const { nagFindings, findingsUnder, formatFindings } = await import('../support/nag.js');
    for (const withDomain of [true, false]) {
      const app = new App();
      // With a domain: a concrete environment; without: environment-agnostic (tokens in ARNs).
      const nagStack = new Stack(app, 'NagTest', withDomain ? { env: { account: '123456789012', region: 'eu-west-1' } } : {});
      const storage = new PlatformStorage(nagStack, 'Storage');
      new ProjectSystem(nagStack, 'Projects', {
        storage,
        ...(withDomain ? { domainName: 'apps.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' } : {}),
      });
      const findings = findingsUnder(nagFindings(nagStack), ['NagTest/Projects']);
      expect(findings, formatFindings(findings)).toEqual([]);
    }
  }, 180_000);
});
