import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'examples/**', '.slipway/**'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
