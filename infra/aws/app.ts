import { App } from 'aws-cdk-lib';
import { SlipwayStack } from './slipway-stack.js';

/** Context keys `cdk deploy -c key=value` takes (see docs/DEPLOY-AWS.md). */
function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Builds the CDK app; `cdk.json` (via main.ts) and the local back end both go through here. */
export function buildApp(options: { outdir?: string; context?: Record<string, unknown> } = {}): { app: App; pipeline: SlipwayStack } {
  const app = new App({ outdir: options.outdir, context: options.context });
  const timeout = contextString(app, 'buildTimeoutSeconds');
  const platform = new SlipwayStack(app, 'Slipway', {
    description: 'Slipway: self-hosted SvelteKit deployment platform (internal, pipeline and project systems)',
    domainName: contextString(app, 'domainName'),
    certificateArn: contextString(app, 'certificateArn'),
    dashboardDomainName: contextString(app, 'dashboardDomainName'),
    githubSecretArn: contextString(app, 'githubSecretArn'),
    buildTimeoutSeconds: timeout ? Number(timeout) : undefined,
  });
  return { app, pipeline: platform };
}
