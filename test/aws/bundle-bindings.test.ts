import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Binding, bundleHandler } from '../../infra/aws/shared/handler-function.js';

const SECRET_PROBE = 'test/aws/support/secret-probe-handler.handler';
const ROUTE_CACHE_PROBE = 'test/aws/support/route-cache-probe-handler.handler';
const TRACER_PROBE = 'test/aws/support/tracer-probe-handler.handler';
const PLATFORM_PROBE = 'test/aws/support/platform-probe-handler.handler';
const CERTIFICATES_PROBE = 'test/aws/support/certificates-probe-handler.handler';
const CERTIFICATE_STATES_PROBE = 'test/aws/support/certificate-states-probe-handler.handler';

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

  it("of Release and Delete project data binds CloudFront's distribution tenants named in the environment, and only theirs", async () => {
    const variables = ['SLIPWAY_CUSTOM_DOMAIN_DISTRIBUTION_ID', 'SLIPWAY_CUSTOM_DOMAIN_CONNECTION_GROUP_ID'] as const;
    const saved = variables.map((name) => process.env[name]);
    try {
      process.env.SLIPWAY_CUSTOM_DOMAIN_DISTRIBUTION_ID = 'EMULTITENANT';
      process.env.SLIPWAY_CUSTOM_DOMAIN_CONNECTION_GROUP_ID = 'cg_test';
      expect(await runBundledProbe(CERTIFICATES_PROBE, ['custom-domain-certificates'])).toBe('bound');
      expect(await runBundledProbe(CERTIFICATES_PROBE, ['secret-source'])).toBe(
        'Error: no CustomDomainCertificates is bound: the entry point must call bindCustomDomainCertificates first',
      );
      // Without the ids the function fails at cold start, naming them.
      delete process.env.SLIPWAY_CUSTOM_DOMAIN_CONNECTION_GROUP_ID;
      await expect(runBundledProbe(CERTIFICATES_PROBE, ['custom-domain-certificates'])).rejects.toThrow(
        'SLIPWAY_CUSTOM_DOMAIN_CONNECTION_GROUP_ID',
      );
    } finally {
      variables.forEach((name, index) => {
        if (saved[index] === undefined) delete process.env[name];
        else process.env[name] = saved[index];
      });
    }
  });

  it("of the API binds read-only certificate states: CloudFront's with a custom-domain distribution, else all none", async () => {
    const variables = ['SLIPWAY_CUSTOM_DOMAIN_DISTRIBUTION_ID', 'SLIPWAY_CUSTOM_DOMAIN_CONNECTION_GROUP_ID', 'PROBE_ASK_STATUS'] as const;
    const saved = variables.map((name) => process.env[name]);
    try {
      for (const name of variables) delete process.env[name];
      process.env.SLIPWAY_CUSTOM_DOMAIN_DISTRIBUTION_ID = 'EMULTITENANT';
      // Refused before any call: the API never creates a tenant.
      expect(await runBundledProbe(CERTIFICATE_STATES_PROBE, ['custom-domain-certificate-states'])).toBe(
        "Error: custom domain certificates are read-only here: adding a certificate is Release's and Delete project data's",
      );
      // No custom-domain distribution: no domain has a certificate, and nothing is asked.
      delete process.env.SLIPWAY_CUSTOM_DOMAIN_DISTRIBUTION_ID;
      process.env.PROBE_ASK_STATUS = '1';
      expect(await runBundledProbe(CERTIFICATE_STATES_PROBE, ['custom-domain-certificate-states'])).toBe('status none');
    } finally {
      variables.forEach((name, index) => {
        if (saved[index] === undefined) delete process.env[name];
        else process.env[name] = saved[index];
      });
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

  it('of every function binds the settings CDK put in its environment, and the SDK clients only where asked', async () => {
    const lambdaEnvironment = {
      SLIPWAY_SOURCE_BUCKET: 'src-bucket',
      SLIPWAY_BUILD_BUCKET: 'build-bucket',
      SLIPWAY_PROJECT_BUCKET: 'project-bucket',
      SLIPWAY_TABLE: 'the-table',
      SLIPWAY_TENANT_URL_TEMPLATE: 'https://{project}.apps.example.com/',
      SLIPWAY_STATE_MACHINE_ROLLBACK: 'arn:aws:states:eu-west-1:123456789012:stateMachine:slipway-rollback',
    };
    const saved = { ...process.env };
    // The bundle's entry reads the Lambda's environment when it loads, as on AWS.
    Object.assign(process.env, lambdaEnvironment, { AWS_REGION: 'eu-west-1' });
    try {
      expect(JSON.parse(await runBundledProbe(PLATFORM_PROBE, []))).toEqual({
        table: 'the-table',
        tenantUrl: 'https://shop.apps.example.com/',
        s3: 'Error: no SDK clients are bound: the entry point must bind the platform first',
        rollback: 'Error: no execution starter is bound: the entry point must bind the platform first',
      });
      expect(JSON.parse(await runBundledProbe(PLATFORM_PROBE, ['clients']))).toEqual({
        table: 'the-table',
        tenantUrl: 'https://shop.apps.example.com/',
        s3: 'bound',
        rollback: lambdaEnvironment.SLIPWAY_STATE_MACHINE_ROLLBACK,
      });
    } finally {
      process.env = saved;
    }
  });
});
