/**
 * The server bundle's banner that spreads the Lambda's one runtime-variable variable into
 * `process.env` (buildrunner/adapter/runtime-env-banner.ts): bundled the way the adapter bundles a
 * server (esbuild, ESM, code splitting) from an app module that reads `process.env` at import
 * time, and run in a Node process whose environment is what the project stack gives the function.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_ENV_VARIABLE, encodeRuntimeEnvironment } from '../../handlers/lib/project-settings/function-environment.js';
import { RUNTIME_ENV_BANNER } from '../../buildrunner/adapter/runtime-env-banner.js';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-runtime-env-banner-'));
  // A module shared by two entries becomes its own chunk: it runs before either entry's own code.
  writeFileSync(join(dir, 'config.js'), 'export const atImport = { greeting: process.env.GREETING, token: process.env.API_TOKEN };\n');
  writeFileSync(
    join(dir, 'handler.js'),
    [
      "import { atImport } from './config.js';",
      'console.log(JSON.stringify({ atImport, later: { greeting: process.env.GREETING, nodeEnv: process.env.NODE_ENV },',
      `  encodedLeft: process.env.${RUNTIME_ENV_VARIABLE} !== undefined }));`,
    ].join('\n'),
  );
  writeFileSync(join(dir, 'other.js'), "import { atImport } from './config.js';\nexport default atImport;\n");
  await build({
    entryPoints: [join(dir, 'handler.js'), join(dir, 'other.js')],
    outdir: join(dir, 'out'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    banner: { js: RUNTIME_ENV_BANNER },
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'out', 'package.json'), '{ "type": "module" }\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(env: Record<string, string>): Record<string, unknown> {
  const out = execFileSync(process.execPath, [join(dir, 'out', 'handler.js')], { env: { PATH: process.env.PATH ?? '', ...env } });
  return JSON.parse(out.toString()) as Record<string, unknown>;
}

describe('runtime variables in the server bundle', () => {
  it('are in process.env before any app module runs, and the encoded variable is gone', () => {
    const encoded = encodeRuntimeEnvironment({ GREETING: 'hello "quoted" é', API_TOKEN: 'tok-1' });
    expect(run({ NODE_ENV: 'production', [RUNTIME_ENV_VARIABLE]: encoded })).toEqual({
      atImport: { greeting: 'hello "quoted" é', token: 'tok-1' },
      later: { greeting: 'hello "quoted" é', nodeEnv: 'production' },
      encodedLeft: false,
    });
  });

  it("never replaces a variable the function's environment already has", () => {
    const encoded = encodeRuntimeEnvironment({ NODE_ENV: 'development', GREETING: 'hi' });
    expect(run({ NODE_ENV: 'production', [RUNTIME_ENV_VARIABLE]: encoded })).toMatchObject({
      later: { greeting: 'hi', nodeEnv: 'production' },
    });
  });

  it('changes nothing where the variable is not set (the local function host passes variables itself)', () => {
    expect(run({ GREETING: 'from the host' })).toMatchObject({ atImport: { greeting: 'from the host' }, encodedLeft: false });
  });
});
