import { App } from 'aws-cdk-lib';
import { PipelineStack } from './pipeline-stack.js';

/** Builds the CDK app; `cdk.json` and the local back end both go through here. */
export function buildApp(options: { outdir?: string; context?: Record<string, unknown> } = {}): { app: App; pipeline: PipelineStack } {
  const app = new App({ outdir: options.outdir, context: options.context });
  const pipeline = new PipelineStack(app, 'SlipwayPipeline', {
    description: 'Slipway pipeline system: workflows, pipeline functions, build and project storage',
  });
  return { app, pipeline };
}
