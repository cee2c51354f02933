import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Binding, bundleHandler } from '../../infra/aws/shared/handler-function.js';

const SECRET_PROBE = 'test/aws/support/secret-probe-handler.handler';
const ROUTE_CACHE_PROBE = 'test/aws/support/route-cache-probe-handler.handler';
const TRACER_PROBE = 'test/aws/support/tracer-probe-handler.handler';

const outputDirs: string[] = [];

async function runBundledProbe(probe: string, binds: Binding[]): Promise<string> {
  const outputDir = mkdtempSync(join(tmpdir(), 'slipway-bundle-'));
  outputDirs.push(outputDir);
  bundleHandler(probe, outputDir, binds);
  const modulePath = probe.slice(0, probe.lastIndexOf('.'));
  const bundle = (await import(pathToFileURL(join(outputDir, `${modulePath}.js`)).href)) as { handler(): Promise<string> };
  return bundle.handler();
}

describe('a Lambda bundle', () => {
  afterAll(() => {
    for (const dir of outputDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('of a function that reads secrets binds the Secrets Manager source before the handler runs', async () => {
    // No ARN in the function's environment: the bound Secrets Manager source says so, without a call.
    delete process.env.SLIPWAY_TICKET_SECRET_ARN;
    expect(await runBundledProbe(SECRET_PROBE, ['secret-source'])).toBe(
      'SecretNotConfigured: the platform has no configuration for the secret ticket-key',
    );
  });

  it('of any other function binds nothing', async () => {
    expect(await runBundledProbe(SECRET_PROBE, [])).toBe(
      'Error: no SecretSource is bound: the entry point must call bindSecretSource first',
    );
    expect(await runBundledProbe(ROUTE_CACHE_PROBE, ['secret-source'])).toBe(
      'Error: no RouteCache is bound: the entry point must call bindRouteCache first',
    );
  });

  it('of a function that writes the route cache binds the KeyValueStore named in its environment', async () => {
    const saved = process.env.SLIPWAY_ROUTE_CACHE_KVS_ARN;
    try {
      process.env.SLIPWAY_ROUTE_CACHE_KVS_ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0000-test';
      expect(await runBundledProbe(ROUTE_CACHE_PROBE, ['route-cache'])).toBe('bound');
      // Without the ARN the function fails at cold start, naming the variable, rather than at its first write.
      delete process.env.SLIPWAY_ROUTE_CACHE_KVS_ARN;
      await expect(runBundledProbe(ROUTE_CACHE_PROBE, ['route-cache'])).rejects.toThrow('SLIPWAY_ROUTE_CACHE_KVS_ARN');
    } finally {
      if (saved === undefined) delete process.env.SLIPWAY_ROUTE_CACHE_KVS_ARN;
      else process.env.SLIPWAY_ROUTE_CACHE_KVS_ARN = saved;
    }
  });

  it('binds the X-Ray tracer when asked (handlerFunction asks for every function), and only then', async () => {
    const saved = process.env.AWS_EXECUTION_ENV;
    try {
      // What Lambda sets; Powertools turns tracing on only inside a function.
      process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
      expect(await runBundledProbe(TRACER_PROBE, ['tracer'])).toBe('tracing');
      expect(await runBundledProbe(TRACER_PROBE, [])).toBe('not tracing');
    } finally {
      if (saved === undefined) delete process.env.AWS_EXECUTION_ENV;
      else process.env.AWS_EXECUTION_ENV = saved;
    }
  });
});
