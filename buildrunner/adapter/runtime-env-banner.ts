/**
 * The first code of every file of the server bundle (esbuild's banner): on Lambda the deployment's
 * runtime variables arrive as one JSON variable (handlers/lib/project-settings/function-environment.ts,
 * RUNTIME_ENV_VARIABLE); this spreads them into `process.env` and removes that variable before any
 * app module runs, so `$env/dynamic/private`, `process.env` at import time and SvelteKit's `init`
 * all see plain variables. In every file, because with code splitting whichever chunk runs first is
 * the first app code; the variable is gone after the first run, so the others do nothing. Locally
 * the variable is not set (the function host passes the variables itself).
 */
export const RUNTIME_ENV_BANNER = [
  '{',
  '  const __slipwayRuntimeEnv = process.env.SLIPWAY_RUNTIME_ENV;',
  '  if (__slipwayRuntimeEnv !== undefined) {',
  '    delete process.env.SLIPWAY_RUNTIME_ENV;',
  '    for (const [name, value] of Object.entries(JSON.parse(__slipwayRuntimeEnv))) {',
  "      if (typeof value === 'string' && process.env[name] === undefined) process.env[name] = value;",
  '    }',
  '  }',
  '}',
].join('\n');
