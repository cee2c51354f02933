import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DefaultStackSynthesizer,
  Duration,
  Stack,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_lambda as lambda,
  type aws_s3 as s3,
  aws_s3_deployment as s3deploy,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as v from 'valibot';
import { BundleManifest } from '../../../handlers/pipeline/bundle/validate-bundle.js';
import { ORIGIN_SECRET_HEADER } from '../../../handlers/dashboard/viewer-event.js';
import { packageRoot } from '../../package-root.js';
import { handlerFunction } from '../shared/handler-function.js';
import { acknowledge, nagResource, nagText } from '../shared/nag.js';
import { TIMEOUTS } from '../shared/timeouts.js';

/** What `npm run build` makes of dashboard/ (Slipway's adapter: client/, server/, slipway-manifest.json). */
export interface DashboardBundle {
  directory: string;
  manifest: BundleManifest;
}

/** A distribution has at most 25 cache behaviors by default; the dashboard's own take 4. */
const MAX_STATIC_PATHS = 15;
/** Content-hashed build output: a new build never reuses a name, so a year in every cache. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Everything else in client/ (`_app/version.json`, static files) keeps its name across builds: revalidated. */
export const MUTABLE_CACHE_CONTROL = 'public, max-age=0, must-revalidate';

/** The built dashboard; synthesis stops here, naming the command, when it was not built. */
export function dashboardBundle(directory = join(packageRoot(), 'dist', 'dashboard')): DashboardBundle {
  const manifestFile = join(directory, 'slipway-manifest.json');
  if (!existsSync(manifestFile))
    throw new Error(`the dashboard is not built (no ${manifestFile}): run \`npm run build\` before synthesizing the AWS app`);
  const manifest = v.parse(BundleManifest, JSON.parse(readFileSync(manifestFile, 'utf8')));
  if (manifest.handler !== 'server/handler.js')
    throw new Error(`dashboard bundle: expected the handler server/handler.js, got ${manifest.handler}`);
  // The dashboard is signed-in pages only; a prerendered page would need a path→key rewrite the distribution does not have.
  if (Object.keys(manifest.prerendered).length > 0 || manifest.fallback)
    throw new Error(
      'dashboard bundle: prerendered pages are not served on AWS (the dashboard distribution serves client/ and the server function only)',
    );
  const staticPaths = Object.keys(manifest.static);
  if (staticPaths.length > MAX_STATIC_PATHS)
    throw new Error(
      `dashboard bundle: ${staticPaths.length} static files, over ${MAX_STATIC_PATHS} (each is a cache behavior of the distribution)`,
    );
  for (const [path, file] of Object.entries(manifest.static)) {
    if (/[*?]/.test(path) || file !== `client${path}`)
      throw new Error(`dashboard bundle: static path ${path} (${file}) cannot be a cache behavior`);
  }
  return { directory, manifest };
}

/**
 * The dashboard's server function: the adapter's server/ directory, unchanged, beside a small
 * entry (handlers/dashboard/lambda.ts) that refuses requests without the origin secret and gives
 * the app the viewer's host. Its function URL streams, as the adapter's handler does on Lambda.
 */
export function dashboardServerFunction(
  scope: Construct,
  bundle: DashboardBundle,
  originSecret: string,
): { fn: lambda.Function; url: lambda.FunctionUrl } {
  const fn = handlerFunction(scope, 'DashboardFunction', {
    handler: 'handlers/dashboard/lambda.handler',
    description: 'Slipway dashboard: the SvelteKit app built with Slipway’s adapter (server side)',
    memorySize: 1024,
    // Longer than the API it calls from its load functions, so an API timeout is the page's error, not its own.
    timeout: Duration.seconds(TIMEOUTS.apiFunction + 1),
    environment: { SLIPWAY_ORIGIN_SECRET: originSecret },
    beside: { directory: join(bundle.directory, 'server'), as: 'app' },
  });
  // NONE, not AWS_IAM behind origin access control: with OAC Lambda wants the viewer to sign every
  // request body (x-amz-content-sha256), which browsers posting a form never do. The entry refuses
  // any request without the origin secret, as the tenant router does.
  const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE, invokeMode: lambda.InvokeMode.RESPONSE_STREAM });
  return { fn, url };
}

/**
 * client/ into the dashboard bucket, never pruned: after an update, pages loaded before it still
 * fetch the hashed `_app/immutable/*` files of their build. The function's code changes only
 * once these are in (dependency), so a new page never asks for a file not there yet.
 */
export function deployDashboardAssets(scope: Construct, bucket: s3.IBucket, bundle: DashboardBundle): s3deploy.BucketDeployment[] {
  const client = join(bundle.directory, 'client');
  const immutable = `${bundle.manifest.appDir}/immutable`;
  const deployments = [
    new s3deploy.BucketDeployment(scope, 'DashboardImmutableAssets', {
      sources: [s3deploy.Source.asset(join(client, immutable))],
      destinationBucket: bucket,
      destinationKeyPrefix: `${immutable}/`,
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(IMMUTABLE_CACHE_CONTROL)],
    }),
    new s3deploy.BucketDeployment(scope, 'DashboardAssets', {
      sources: [s3deploy.Source.asset(client, { exclude: [immutable] })],
      destinationBucket: bucket,
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(MUTABLE_CACHE_CONTROL)],
    }),
  ];
  acknowledgeDeploymentProvider(scope, bucket);
  return deployments;
}

/**
 * CDK's bucket-deployment provider (one Lambda per stack, Python, with the AWS CLI layer) runs
 * only while CloudFormation deploys; cdk-nag's findings on it are by construction.
 */
function acknowledgeDeploymentProvider(scope: Construct, bucket: s3.IBucket): void {
  const stack = Stack.of(scope);
  const provider = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!provider) throw new Error('no bucket-deployment provider in the stack');
  const assets = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${nagText(stack.account, 'AWS::AccountId')}-${nagText(stack.region, 'AWS::Region')}/*`;
  const copy =
    "CDK's bucket deployment grants its provider read on the asset it copies from and read/write on the destination bucket with these action groups; it only runs while CloudFormation deploys the stack.";
  acknowledge(provider, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      'The AWS managed basic execution role only lets the bucket-deployment provider write its own CloudWatch logs.',
    'AwsSolutions-L1':
      "The bucket-deployment provider is CDK's own Lambda (Python with the AWS CLI layer); its runtime moves with aws-cdk-lib.",
    ...Object.fromEntries(
      ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((a) => [`AwsSolutions-IAM5[Action::${a}]`, copy]),
    ),
    [`AwsSolutions-IAM5[Resource::${nagResource(provider, bucket.arnForObjects('*'))}]`]:
      'The provider writes the dashboard build files anywhere in the dashboard bucket, which holds nothing else.',
    [`AwsSolutions-IAM5[Resource::${assets}]`]: "The provider reads the build files' zip from CDK's asset bucket, where CDK put it.",
  });
}

/** The distribution's behaviors for the dashboard: the server function by default, client files from the bucket. */
export function dashboardBehaviors(
  scope: Construct,
  props: { bundle: DashboardBundle; url: lambda.FunctionUrl; bucket: s3.IBucket; originSecret: string },
): { defaultBehavior: cloudfront.BehaviorOptions; assetBehaviors: Record<string, cloudfront.BehaviorOptions> } {
  const viewerHost = new cloudfront.Function(scope, 'DashboardViewerRequest', {
    comment: 'Slipway dashboard: the viewer host for the server function (x-slipway-host)',
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    code: cloudfront.FunctionCode.fromFile({ filePath: join(packageRoot(), 'handlers', 'dashboard', 'viewer-request.js') }),
  });
  const defaultBehavior: cloudfront.BehaviorOptions = {
    origin: new origins.FunctionUrlOrigin(props.url, {
      customHeaders: { [ORIGIN_SECRET_HEADER]: props.originSecret },
      readTimeout: Duration.seconds(TIMEOUTS.originRead),
    }),
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
    cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
    // A function URL needs its own Host; cookies, query and bodies pass, the viewer's host in x-slipway-host.
    originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    functionAssociations: [{ function: viewerHost, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
  };
  const bucketOrigin = origins.S3BucketOrigin.withOriginAccessControl(props.bucket);
  const fromBucket: cloudfront.BehaviorOptions = {
    origin: bucketOrigin,
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
    // Honours the objects' Cache-Control (deployDashboardAssets), compressed.
    cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
  };
  const appDir = props.bundle.manifest.appDir;
  // Only the build's files: /_app/env.js and /_app/remote/* are the server's (default behavior).
  const assetBehaviors: Record<string, cloudfront.BehaviorOptions> = {
    [`/${appDir}/immutable/*`]: fromBucket,
    [`/${appDir}/version.json`]: fromBucket,
    ...Object.fromEntries(Object.keys(props.bundle.manifest.static).map((path) => [path, fromBucket])),
  };
  return { defaultBehavior, assetBehaviors };
}
