import { startDeployment } from '../../handlers/api/start-deployment.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../handlers/lib/clients.js';
import { runtimeEnvironment } from '../../handlers/lib/project-settings/runtime-env.js';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { LogStream } from '../../buildrunner/runner/log-stream.js';
import { secretValues, takeProjectConfig, type ProjectConfig } from '../../buildrunner/runner/project-config.js';
import { uploadText } from '../../buildrunner/runner/s3-io.js';
import { createReadyProject, deployOnce, quickBuild, startApiHarness, waitFor, type ApiHarness } from './support/api-harness.js';
import { useS3Client } from '../../buildrunner/runner/s3-client.js';

const SECRET = 'sk-live-3c1f9a77e0d2-do-not-leak';
const RUNTIME_SECRET = 'rt-secret-b81e55aa90-never-shown';

let harness: ApiHarness;
/** What each fake build job received: the job request, and the config the runner's own reader took from the build bucket. */
const builds: Array<{ request: unknown; config: ProjectConfig }> = [];

beforeAll(async () => {
  harness = await startApiHarness({
    // The runner's pieces: take the config, redact its secrets from a log that prints them, then the usual bundle.
    buildJob: async (aws, request, options) => {
      const id = request.environment.SLIPWAY_BUILD_ID as string;
      const config = await takeProjectConfig('slipway-builds', id);
      builds.push({ request, config });
      const done = await quickBuild(aws, request, options);
      // After quickBuild's two chunks (00000000, 00000001): this log's chunks are numbered on from there.
      const after = (key: string) => key.replace(/(\d{8})\.txt$/, (_, n: string) => `${String(Number(n) + 2).padStart(8, '0')}.txt`);
      const log = new LogStream({
        prefix: `builds/${id}/log/`,
        upload: (key, body) => uploadText('slipway-builds', after(key), body),
        echo: () => undefined,
      });
      log.addSecrets(secretValues(config));
      log.line(`build sees API_TOKEN=${config.variables.API_TOKEN ?? '(none)'}`);
      await log.close();
      return done;
    },
  });
  // The stand-in build runs the runner's own S3 code in this process: it uses the harness's client.
  useS3Client(harness.aws.s3);
  await createReadyProject(harness, 'web');
  await createReadyProject(harness, 'other');
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('settings', () => {
  it('reads defaults, changes and resets fields', async () => {
    expect((await harness.call('GET', '/projects/web/settings')).json).toEqual({ project: 'web', settings: {} });
    const patched = await harness.call('PATCH', '/projects/web/settings', {
      buildCommand: 'npm run build:web',
      rootDirectory: 'apps/web',
      nodeVersion: '22',
    });
    expect(patched.status).toBe(200);
    expect(patched.json.settings).toEqual({ buildCommand: 'npm run build:web', rootDirectory: 'apps/web', nodeVersion: '22' });
    const reset = await harness.call('PATCH', '/projects/web/settings', { nodeVersion: null, installCommand: 'npm ci --ignore-scripts' });
    expect(reset.json.settings).toEqual({
      buildCommand: 'npm run build:web',
      rootDirectory: 'apps/web',
      installCommand: 'npm ci --ignore-scripts',
    });
  });

  it('refuses bad values, naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ rootDirectory: '../elsewhere' }, 'body.rootDirectory'],
      [{ rootDirectory: '/abs' }, 'body.rootDirectory'],
      [{ rootDirectory: 'apps/./web' }, 'body.rootDirectory'],
      [{ nodeVersion: '18' }, 'body.nodeVersion'],
      [{ buildCommand: '' }, 'body.buildCommand'],
      [{ buildCommand: 'a\nb' }, 'body.buildCommand'],
      [{ buildCommand: 'x'.repeat(501) }, 'body.buildCommand'],
      [{ productionBranch: 'main' }, 'body.productionBranch'],
      [{}, 'body'],
    ];
    for (const [body, field] of cases) {
      const answer = await harness.call('PATCH', '/projects/web/settings', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error.field, JSON.stringify(body)).toBe(field);
      expect(answer.json.error.message).toContain(field);
    }
    expect((await harness.call('GET', '/projects/nosuch/settings')).status).toBe(404);
  });
});

describe('environment variables', () => {
  it('validates names, values and targets', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['AWS_REGION', { value: 'x' }, 'path.key'],
      ['SLIPWAY_TICKET', { value: 'x' }, 'path.key'],
      ['node_options', { value: 'x' }, 'path.key'],
      ['1ABC', { value: 'x' }, 'path.key'],
      ['GOOD', { value: 1 }, 'body.value'],
      ['GOOD', { value: 'é'.repeat(2049) }, 'body.value'],
      ['GOOD', { value: 'x', target: 'edge' }, 'body.target'],
      ['GOOD', { value: 'x', secret: 'yes' }, 'body.secret'],
      ['GOOD', { value: 'x', extra: 1 }, 'body.extra'],
    ];
    for (const [key, body, field] of cases) {
      const answer = await harness.call('PUT', `/projects/web/env/${key}`, body);
      expect(answer.status, `${key} ${JSON.stringify(body).slice(0, 50)}`).toBe(400);
      expect(answer.json.error.field, key).toBe(field);
    }
    expect((await harness.call('DELETE', '/projects/web/env/NOT_SET')).status).toBe(404);
  });

  it('keeps the runtime variables within a function environment', async () => {
    const big = 'v'.repeat(3000);
    expect((await harness.call('PUT', '/projects/other/env/BIG_ONE', { value: big, target: 'runtime' })).status).toBe(200);
    const over = await harness.call('PUT', '/projects/other/env/BIG_TWO', { value: big, target: 'both' });
    expect(over.status).toBe(400);
    expect(over.json.error.message).toMatch(/limit of 4096 bytes/);
    // Build-only variables do not count.
    expect((await harness.call('PUT', '/projects/other/env/BIG_TWO', { value: big, target: 'build' })).status).toBe(200);
    // Measured as the function's environment: a name and value of 4096 bytes leave no room for the
    // encoding and the platform's own variables (the same measure Prepare build applies).
    const exact = await harness.call('PUT', '/projects/web/env/EXACT', { value: 'v'.repeat(4096 - 'EXACT'.length), target: 'runtime' });
    expect(exact.status).toBe(400);
    expect(exact.json.error).toMatchObject({
      field: 'body.value',
      message: expect.stringMatching(/function's environment would take \d+ bytes/),
    });
  });

  it('lists plain values and secrets by name only, and stores secrets encrypted', async () => {
    expect((await harness.call('PUT', '/projects/web/env/PUBLIC_NAME', { value: 'web-app' })).json).toMatchObject({
      created: true,
      variable: { key: 'PUBLIC_NAME', value: 'web-app', secret: false, target: 'both' },
    });
    const put = await harness.call('PUT', '/projects/web/env/API_TOKEN', { value: SECRET, secret: true, target: 'build' });
    expect(put.status).toBe(200);
    expect(put.json.variable).toEqual({
      key: 'API_TOKEN',
      target: 'build',
      secret: true,
      updatedAt: expect.any(String),
      updatedBy: expect.any(String),
    });
    expect(
      (await harness.call('PUT', '/projects/web/env/SESSION_KEY', { value: RUNTIME_SECRET, secret: true, target: 'runtime' })).status,
    ).toBe(200);
    expect((await harness.call('PUT', '/projects/web/env/BUILD_ONLY', { value: 'b', target: 'build' })).status).toBe(200);

    const listed = await harness.call('GET', '/projects/web/env');
    expect(listed.json.variables.map((v: any) => [v.key, v.secret, 'value' in v])).toEqual([
      ['API_TOKEN', true, false],
      ['BUILD_ONLY', false, true],
      ['PUBLIC_NAME', false, true],
      ['SESSION_KEY', true, false],
    ]);
    const { Item } = await dynamoClient().send(
      new GetCommand({ TableName: 'slipway-platform', Key: { pk: 'PROJECT#web', sk: 'ENV#API_TOKEN' } }),
    );
    expect(JSON.stringify(Item)).not.toContain(SECRET);
    expect(Item?.sealed).toMatch(/^v1\./);
  });

  it('gives build variables to the build and runtime variables to the function, and a secret to no response, log or history', async () => {
    const deployed = await deployOnce(harness, 'web');
    expect(deployed.status).toBe('LIVE');
    const build = builds.at(-1)!;
    expect(build.config.variables).toEqual({ PUBLIC_NAME: 'web-app', API_TOKEN: SECRET, BUILD_ONLY: 'b' });
    expect(build.config.secrets).toEqual(['API_TOKEN']);
    expect(build.config.settings).toMatchObject({ buildCommand: 'npm run build:web', rootDirectory: 'apps/web' });
    // Values reach the build through the bucket only, never through the job request (the state machine's state).
    expect(JSON.stringify(build.request)).not.toContain(SECRET);
    expect(JSON.stringify(build.request)).not.toContain('web-app');
    // The function of this deployment starts with the runtime variables.
    expect(await runtimeEnvironment('web', deployed.id)).toEqual({ PUBLIC_NAME: 'web-app', SESSION_KEY: RUNTIME_SECRET });

    const texts: string[] = [];
    for (const path of [
      '/projects/web/env',
      '/projects/web/settings',
      '/projects/web',
      '/projects',
      '/projects/web/deployments',
      `/projects/web/deployments/${deployed.id}`,
      `/projects/web/deployments/${deployed.id}/execution`,
      `/projects/web/deployments/${deployed.id}/logs`,
      '/executions',
      '/admin/audit',
    ]) {
      const answer = await harness.call('GET', path);
      expect(answer.status, path).toBe(200);
      texts.push(JSON.stringify(answer.json));
    }
    const all = texts.join('\n');
    expect(all).toContain('API_TOKEN');
    expect(all).toContain('[redacted]');
    expect(all).toContain('Prepare build');
    for (const secret of [SECRET, RUNTIME_SECRET]) expect(all).not.toContain(secret);

    // A changed variable reaches the next deployment only.
    expect((await harness.call('PUT', '/projects/web/env/PUBLIC_NAME', { value: 'renamed' })).json.created).toBe(false);
    expect((await runtimeEnvironment('web', deployed.id)).PUBLIC_NAME).toBe('web-app');
    expect((await harness.call('DELETE', '/projects/web/env/BUILD_ONLY')).json).toEqual({ project: 'web', deleted: 'BUILD_ONLY' });
    const next = await deployOnce(harness, 'web');
    expect(builds.at(-1)!.config.variables).toEqual({ PUBLIC_NAME: 'renamed', API_TOKEN: SECRET });
    expect((await runtimeEnvironment('web', next.id)).PUBLIC_NAME).toBe('renamed');
  }, 60_000);

  it("builds a fork's preview (withholdSecrets) with the plain variables only: no secret reaches its build or its function", async () => {
    const archive = Buffer.from('fork source');
    const upload = await harness.call('POST', '/projects/web/sources', { bytes: archive.length });
    await fetch(upload.json.uploadUrl, { method: 'PUT', headers: upload.json.headers, body: archive });
    const started = await startDeployment({
      project: 'web',
      user: 'admin',
      owner: 'admin',
      sourceKey: upload.json.source.key,
      preview: 'pr-7',
      withholdSecrets: true,
    });
    const done = await waitFor(
      () => harness.call('GET', `/projects/web/deployments/${started.id}`),
      (r) => ['LIVE', 'FAILED'].includes(r.json.deployment.status),
    );
    expect(done.json.deployment).toMatchObject({ status: 'LIVE', secrets: 'withheld' });
    expect(builds.at(-1)!.config.variables).toEqual({ PUBLIC_NAME: 'renamed' });
    expect(builds.at(-1)!.config.secrets).toEqual([]);
    expect(await runtimeEnvironment('web', started.id)).toEqual({ PUBLIC_NAME: 'renamed' });
  }, 60_000);
});

describe('a deployment naming its own root directory (the CLI in a monorepo)', () => {
  it('builds in the folder the request names, over the project setting, and refuses a folder outside the source', async () => {
    const archive = Buffer.from('workspace root source');
    const upload = await harness.call('POST', '/projects/web/sources', { bytes: archive.length });
    await fetch(upload.json.uploadUrl, { method: 'PUT', headers: upload.json.headers, body: archive });
    const key = upload.json.source.key as string;
    for (const rootDirectory of ['../elsewhere', '/abs', 'apps/./site']) {
      const refused = await harness.call('POST', '/projects/web/deployments', { source: { key }, rootDirectory });
      expect(refused.status, rootDirectory).toBe(400);
      expect(refused.json.error.field, rootDirectory).toBe('body.rootDirectory');
    }
    const started = await harness.call('POST', '/projects/web/deployments', { source: { key }, rootDirectory: 'apps/site' });
    expect(started.status).toBe(202);
    expect(started.json.deployment.rootDirectory).toBe('apps/site');
    const done = await waitFor(
      () => harness.call('GET', `/projects/web/deployments/${started.json.deployment.id}`),
      (r) => ['LIVE', 'FAILED'].includes(r.json.deployment.status),
    );
    expect(done.json.deployment).toMatchObject({ status: 'LIVE', rootDirectory: 'apps/site' });
    // The project's own setting (apps/web) stays for deployments that name none.
    expect(builds.at(-1)!.config.settings).toMatchObject({ buildCommand: 'npm run build:web', rootDirectory: 'apps/site' });
    expect((await harness.call('GET', '/projects/web/settings')).json.settings.rootDirectory).toBe('apps/web');
  }, 60_000);
});

describe('custom domains', () => {
  it('validates, keeps each host with one project, and routes it at the next release once its TXT record is seen', async () => {
    for (const [domain, field] of [
      ['Example.com', 'body.domain'],
      ['example', 'body.domain'],
      ['http://x.com', 'body.domain'],
      ['app.localhost', 'body.domain'],
      ['a..com', 'body.domain'],
      ['10.0.0.1', 'body.domain'],
    ] as const) {
      const answer = await harness.call('POST', '/projects/web/domains', { domain });
      expect(answer.status, domain).toBe(400);
      expect(answer.json.error.field, domain).toBe(field);
    }
    const added = await harness.call('POST', '/projects/web/domains', { domain: 'www.example.com' });
    expect(added.status).toBe(201);
    const record = added.json.domain.verification;
    expect(added.json.domain).toMatchObject({
      status: 'PENDING',
      verification: { type: 'TXT', name: '_slipway-challenge.www.example.com' },
    });
    expect(record.value).toMatch(/^slipway-verify=[0-9a-f]{32}$/);
    expect((await harness.call('POST', '/projects/web/domains', { domain: 'www.example.com' })).status).toBe(409);
    expect((await harness.call('GET', '/projects/web/domains')).json.domains).toEqual([added.json.domain]);

    // Pending: the release does not route it.
    const cache = new FileRouteCache(join(harness.aws.dir, 'route-cache'));
    await deployOnce(harness, 'web');
    expect(await cache.get('d:www.example.com')).toBeUndefined();
    const unproven = await harness.call('POST', '/projects/web/domains/www.example.com/verify');
    expect(unproven.json).toMatchObject({
      domain: { status: 'PENDING' },
      problem: expect.stringContaining('_slipway-challenge.www.example.com'),
    });

    // The owner publishes the record; verifying finds it, and the next release routes the domain.
    const published: Record<string, string[]> = { [record.name]: ['v=spf1 -all', record.value] };
    harness.aws.platform.txtResolver = { resolveTxt: async (name) => published[name] ?? [] };
    const verified = await harness.call('POST', '/projects/web/domains/www.example.com/verify');
    expect(verified.status).toBe(200);
    expect(verified.json.domain).toMatchObject({ status: 'VERIFIED', verifiedAt: expect.any(String) });
    expect(verified.json.problem).toBeUndefined();
    const taken = await harness.call('POST', '/projects/other/domains', { domain: 'www.example.com' });
    expect(taken.status).toBe(409);
    expect(taken.json.error.field).toBe('body.domain');
    expect(taken.json.error.message).not.toContain('web');
    await deployOnce(harness, 'web');
    expect(await cache.get('d:www.example.com')).toBe('web');

    expect((await harness.call('DELETE', '/projects/web/domains/www.example.com')).status).toBe(200);
    expect((await harness.call('DELETE', '/projects/web/domains/www.example.com')).status).toBe(404);
    expect((await harness.call('POST', '/projects/web/domains/www.example.com/verify')).status).toBe(404);
    // Free again: another project may add it (with a token of its own, which the old record does not hold).
    const again = await harness.call('POST', '/projects/other/domains', { domain: 'www.example.com' });
    expect(again.status).toBe(201);
    expect(again.json.domain.verification.value).not.toBe(record.value);
    await deployOnce(harness, 'web');
    expect(await cache.get('d:www.example.com')).toBeUndefined();
  }, 60_000);

  it('verifies a PENDING domain at a release once its record is published, without a verify call', async () => {
    const added = await harness.call('POST', '/projects/web/domains', { domain: 'shop.example.org' });
    expect(added.json.domain.status).toBe('PENDING');
    const { name, value } = added.json.domain.verification;
    harness.aws.platform.txtResolver = { resolveTxt: async (asked) => (asked === name ? [value] : []) };
    await deployOnce(harness, 'web');
    const cache = new FileRouteCache(join(harness.aws.dir, 'route-cache'));
    expect(await cache.get('d:shop.example.org')).toBe('web');
    expect((await harness.call('GET', '/projects/web/domains')).json.domains).toMatchObject([
      { domain: 'shop.example.org', status: 'VERIFIED' },
    ]);
  }, 60_000);
});
