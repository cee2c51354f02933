#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the package's prepare script).
import('../dist/cli/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('slipway: dist/ is missing; run `npm install` (or `npm run build`) first.');
    process.exit(1);
  }
  throw error;
});
