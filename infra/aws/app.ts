import { App } from 'aws-cdk-lib';
import { SlipwayStack } from './slipway-stack.js';
import { readPlatformContext } from './context-keys.js';
import { DEFAULT_STAGE } from '../../handlers/lib/stage.js';

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
  // Context keys (`cdk.context.json`, `-c key=value`): the one list in context-keys.ts, also what `npm run aws:configure` writes.
  const context = readPlatformContext((key) => app.node.tryGetContext(key));
  const stage = context.stage ?? DEFAULT_STAGE;
  const platform = new SlipwayStack(app, platformStackId(stage), {
    description: 'Slipway: self-hosted SvelteKit deployment platform (internal, pipeline and project systems)',
    ...context,
    stage,
    validateProjectTemplate: validateTemplates,
  });
  return { app, pipeline: platform };
}
