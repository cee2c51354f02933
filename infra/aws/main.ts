import { performance } from 'node:perf_hooks';
import { buildApp } from './app.js';

/**
 * The CDK app entry (`cdk.json` runs it; `npm run synth` too). Writes the templates to
 * `$CDK_OUTDIR` (set by the cdk CLI) or `cdk.out/`, offline: no credentials, no Docker.
 */
const started = performance.now();
const { app } = buildApp({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
const assembly = app.synth();
const seconds = ((performance.now() - started) / 1000).toFixed(2);
process.stderr.write(
  `slipway: synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} to ${assembly.directory} in ${seconds} s\n`,
);
