#!/usr/bin/env node
// The SDK's notice about Node 20 support would print on every command: the platform asks for
// Node 22 (package.json engines), and Node 20 still runs it, unsupported (README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The CLI is compiled to dist/ by `npm install` (the package's prepare script).
import('../dist/cli/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('slipway: dist/ is missing; run `npm install` (or `npm run build`) first.');
    process.exit(1);
  }
  throw error;
});
