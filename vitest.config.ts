import { defineConfig } from 'vitest/config';

/**
 * Three projects, so the quick loop stays quick and the slow tests never starve each other:
 * - unit: no servers, no builds, no CDK app (`npm run test:unit`);
 * - integration: local AWS-API servers, the engine running the synthesized workflows, CDK
 *   templates; mostly waiting on I/O, so two files at a time;
 * - e2e: real SvelteKit builds in the sandbox and whole platforms in child processes; each needs
 *   both cores, so one file at a time, after the others.
 */
const UNIT = [
  'test/adapter/{event,static-fallback}.test.ts',
  'test/adapter/resolve-hook.test.ts',
  'test/aws/internal/observability.test.ts',
  'test/aws/projects/function-zip.test.ts',
  'test/buildrunner/{env,log-stream,package-manager,project-config,source}.test.ts',
  'test/lib/**/*.test.ts',
  'test/pipeline/**/*.test.ts',
  'test/previews/alias-and-keys.test.ts',
  'test/router/**/*.test.ts',
];
const E2E = [
  'test/e2e/**/*.test.ts',
  'test/adapter/build-hello.test.ts',
  'test/buildrunner/runner.integration.test.ts',
  'test/security/hostile-tenant.test.ts',
  'test/security/build-caps.test.ts',
  'test/security/secrets-in-argv.test.ts',
  'test/security/crash-recovery.test.ts',
];
const EXCLUDE = ['node_modules/**', 'dist/**', 'examples/**', '.slipway/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // The SDK's Node 20 notice would repeat in every test file's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Handlers run in the test process as on the local platform: the local SecretSource is bound.
    setupFiles: ['test/support/bind-local.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, exclude: EXCLUDE, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...EXCLUDE, ...UNIT, ...E2E],
          globalSetup: ['test/support/global-setup.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          exclude: EXCLUDE,
          globalSetup: ['test/support/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
