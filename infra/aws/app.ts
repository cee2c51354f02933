import { App } from 'aws-cdk-lib';
import { SlipwayStack } from './slipway-stack.js';
import { parseClientAddressDepth } from '../../router/client-address.js';
import { parseRouteCacheProjects } from '../../handlers/pipeline/bundle/aws-preflight.js';
import { parseOriginSecretVersion } from './projects/origin-secret-version.js';
import { DEFAULT_STAGE, parseStage } from '../../handlers/lib/stage.js';
import { parseBuildTimeoutSeconds } from './shared/timeouts.js';

/** Context keys `cdk deploy -c key=value` takes (see docs/DEPLOY-AWS.md). */
function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The platform stack of `stage`: `Slipway` for the default stage (its name before stages), `Slipway-{stage}` otherwise. */
export function platformStackId(stage: string): string {
  return stage === DEFAULT_STAGE ? 'Slipway' : `Slipway-${stage}`;
}

/** Builds the CDK app; `cdk.json` (via main.ts) and the local back end both go through here. */
export function buildApp(
  options: {
    outdir?: string;
    context?: Record<string, unknown>;
    /**
     * CDK's built-in CloudFormation validation of the templates (default on, as for `cdk deploy`).
     * It loads a WASM engine and costs seconds per synthesis: the local engine, which reads only
     * the state machines, turns it off.
     */
    validateTemplates?: boolean;
  } = {},
): { app: App; pipeline: SlipwayStack } {
  const validateTemplates = options.validateTemplates ?? true;
  const app = new App({ outdir: options.outdir, context: options.context, builtinCloudFormationValidation: validateTemplates });
  const stage = parseStage(contextString(app, 'stage'), 'context.stage');
  const platform = new SlipwayStack(app, platformStackId(stage), {
    stage,
    description: 'Slipway: self-hosted SvelteKit deployment platform (internal, pipeline and project systems)',
    domainName: contextString(app, 'domainName'),
    certificateArn: contextString(app, 'certificateArn'),
    dashboardDomainName: contextString(app, 'dashboardDomainName'),
    githubSecretArn: contextString(app, 'githubSecretArn'),
    buildTimeoutSeconds: parseBuildTimeoutSeconds(contextString(app, 'buildTimeoutSeconds'), 'context.buildTimeoutSeconds'),
    clientAddressDepth: parseClientAddressDepth(contextString(app, 'clientAddressDepth'), 'context.clientAddressDepth'),
    routeCacheProjects: parseRouteCacheProjects(contextString(app, 'routeCacheProjects'), 'context.routeCacheProjects'),
    originSecretVersion: parseOriginSecretVersion(contextString(app, 'originSecretVersion'), 'context.originSecretVersion'),
    validateProjectTemplate: validateTemplates,
  });
  return { app, pipeline: platform };
}
