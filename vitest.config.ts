import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'examples/**', '.slipway/**'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    globalSetup: ['test/support/global-setup.ts'],
    // The SDK's Node 20 notice would repeat in every test file's output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
