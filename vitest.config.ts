import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Three projects, each runnable alone (`npm run test:unit`, `--project e2e`):
 * - unit: no servers, no builds, no CDK app;
 * - integration: local AWS-API servers, the engine running the synthesized workflows, CDK templates;
 * - e2e: real SvelteKit builds in the sandbox and whole platforms in child processes.
 * `npm test` runs them as one pool (vitest starts the e2e files first, each project's longest
 * first by the last run's durations): run after the others, the e2e files left a core idle
 * whenever one waited on npm or a workflow, and the integration files left one idle in their tail.
 */
const UNIT = [
  'test/adapter/{event,kit-options,static-fallback}.test.ts',
  'test/adapter/resolve-hook.test.ts',
  'test/adapter/streaming-handler.test.ts',
  'test/adapter/runtime-env-banner.test.ts',
  'test/aws/internal/observability.test.ts',
  'test/api/route.test.ts',
  'test/aws/configure-context.test.ts',
  'test/aws/projects/function-zip.test.ts',
  'test/buildrunner/{env,install-fallback,log-stream,package-manager,project-config,source,workspace}.test.ts',
  'test/cli/{pack-source,words}.test.ts',
  'test/package/engines.test.ts',
  'test/lib/**/*.test.ts',
  'test/pipeline/**/*.test.ts',
  'test/previews/alias-and-keys.test.ts',
  'test/router/**/*.test.ts',
  'test/local/function-host/messages.test.ts',
  'test/local/deployment-transitions.test.ts',
  'test/dashboard/live-view.test.ts',
];
const E2E = [
  'test/e2e/**/*.test.ts',
  'test/adapter/build-hello.test.ts',
  'test/buildrunner/runner.integration.test.ts',
  'test/security/hostile-tenant.test.ts',
  'test/security/build-caps.test.ts',
  'test/security/secrets-in-argv.test.ts',
  'test/security/crash-recovery.test.ts',
  'test/cli/up-already-running.test.ts',
  'test/dashboard/browser/**/*.test.ts',
];
const EXCLUDE = ['node_modules/**', 'dist/**', 'examples/**', '.slipway/**', 'test/e2e/fixtures/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Two files at a time even on 2 cores (vitest's default there is one): most wait on I/O part of the time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    hookTimeout: 300_000,
    env: {
      // The SDK's Node 20 notice would repeat in every test file's output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // CDK's built-in CloudFormation validation (a WASM engine, seconds of CPU per process) only
      // warns and no test reads it; test/aws/app.test.ts turns it back on for its `cdk deploy` synthesis.
      CDK_VALIDATION: 'false',
    },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, exclude: EXCLUDE } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...EXCLUDE, ...UNIT, ...E2E],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          exclude: EXCLUDE,
          globalSetup: ['test/support/e2e-global-setup.ts'],
        },
      },
    ],
  },
});
