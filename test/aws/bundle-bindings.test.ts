import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../infra/aws/shared/handler-function.js';

const PROBE = 'test/aws/support/secret-probe-handler.handler';

const outputDirs: string[] = [];

async function runBundledProbe(readsSecrets: boolean): Promise<string> {
  const outputDir = mkdtempSync(join(tmpdir(), 'slipway-bundle-'));
  outputDirs.push(outputDir);
  bundleHandler(PROBE, outputDir, readsSecrets);
  const bundle = (await import(pathToFileURL(join(outputDir, 'test/aws/support/secret-probe-handler.js')).href)) as {
    handler(): Promise<string>;
  };
  return bundle.handler();
}

describe('a Lambda bundle', () => {
  afterAll(() => {
    for (const dir of outputDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('of a function that reads secrets binds the Secrets Manager source before the handler runs', async () => {
    // No ARN in the function's environment: the bound Secrets Manager source says so, without a call.
    delete process.env.SLIPWAY_TICKET_SECRET_ARN;
    expect(await runBundledProbe(true)).toBe('SecretNotConfigured: the platform has no configuration for the secret ticket-key');
  });

  it('of any other function binds nothing', async () => {
    expect(await runBundledProbe(false)).toBe('Error: no SecretSource is bound: the entry point must call bindSecretSource first');
  });
});
