import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readBundle } from '../../handlers/pipeline/bundle/read-bundle.js';
import { validateBundle } from '../../handlers/pipeline/bundle/validate-bundle.js';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ProjectConfig } from '../../buildrunner/runner/project-config.js';
import {
  BUILD_BUCKET,
  ensureCompiled,
  FAKE_TICKET,
  getObject,
  listKeys,
  readLog,
  ROOT,
  runRunner,
  startS3,
  uploadSource,
  type LocalS3,
} from './harness.js';

const FIXTURES = join(ROOT, 'test', 'buildrunner', 'fixtures');
let s3: LocalS3;

beforeAll(async () => {
  ensureCompiled();
  s3 = await startS3();
}, 300_000);

afterAll(async () => {
  await s3?.stop();
});

async function build(app: string, buildId: string, options: Parameters<typeof runRunner>[2] & { env?: Record<string, string> } = {}) {
  const key = `sources/fixture/${buildId}.tar.gz`;
  await uploadSource(s3, app, key);
  const { env, ...runOptions } = options;
  const result = await runRunner(
    s3,
    { SLIPWAY_PROJECT: 'fixture', SLIPWAY_BUILD_ID: buildId, SLIPWAY_SOURCE_KEY: key, ...env },
    runOptions,
  );
  const log = await readLog(s3, buildId);
  return { ...result, log };
}

async function identity(buildId: string): Promise<{ uid: number; ticketVisible: boolean }> {
  const archive = await getObject(s3, BUILD_BUCKET, `builds/${buildId}/bundle.tar.gz`);
  const entries = await readBundle(archive, (path) => path === 'server/seen-identity.json');
  return JSON.parse(entries.find((e) => e.path === 'server/seen-identity.json')!.body!.toString('utf8')) as {
    uid: number;
    ticketVisible: boolean;
  };
}

describe('build runner (against a local S3)', () => {
  it('builds a fixture app, uploads a valid bundle and streams the log', async () => {
    const run = await build(join(FIXTURES, 'ok-app'), 'd-test-ok');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const archive = await getObject(s3, BUILD_BUCKET, 'builds/d-test-ok/bundle.tar.gz');
    const validated = await validateBundle(archive);
    expect(validated.manifest.handler).toBe('server/handler.js');
    const entries = await readBundle(archive, (path) => path === 'server/seen-env.json');
    const paths = entries.map((e) => e.path);
    expect(paths).toContain('slipway-manifest.json');
    expect(paths).toContain('client/_app/immutable/entry/start.abc123.js');
    expect(paths.every((p) => !p.startsWith('/') && !p.startsWith('./') && !p.includes('..'))).toBe(true);

    // What the app's build script saw: the adapter output folder, none of the platform's secrets.
    const seen = JSON.parse(entries.find((e) => e.path === 'server/seen-env.json')!.body!.toString('utf8')) as Record<string, string>;
    expect(seen.SLIPWAY_ADAPTER_OUT).toMatch(/out$/);
    expect(seen.NODE_ENV).toBe('production');
    expect(seen.CI).toBe('1');
    expect(seen.TMPDIR).toMatch(/tmp$/);
    expect(seen.HOME).toBeTruthy();
    for (const name of [
      'SLIPWAY_TICKET',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_ACCESS_KEY_ID',
      'AWS_ENDPOINT_URL_S3',
      'SLIPWAY_SOURCE_BUCKET',
      'SLIPWAY_BUILD_BUCKET',
    ]) {
      expect(seen[name], name).toBeUndefined();
    }
    expect(JSON.stringify(seen)).not.toContain(FAKE_TICKET);

    // The log: step lines and the app's output, in order, in several chunks that appeared while it ran.
    const lines = run.log.text.split('\n');
    expect(run.log.chunks[0]).toBe('builds/d-test-ok/log/00000000.txt');
    expect(run.log.chunks.length).toBeGreaterThan(1);
    expect(run.chunksSeenWhileRunning).toBeGreaterThan(0);
    expect(lines).toContain('slipway: installing with npm install (no lockfile)');
    expect(lines).toContain('slipway: building with npm run build');
    expect(lines).toContain('fixture: step 1 of 5');
    expect(lines).toContain('fixture: a line on stderr');
    expect(lines).toContain('fixture: ticket=(none)');
    expect(lines.indexOf('fixture: step 1 of 5')).toBeLessThan(lines.indexOf('fixture: step 5 of 5'));
    expect(lines.find((l) => l.startsWith('slipway: timing '))).toMatch(/^slipway: timing install=\d+ build=\d+$/);
    expect(lines.find((l) => l.startsWith('slipway: uploading build output'))).toMatch(
      /^slipway: uploading build output \(7 files, \d+ bytes\)$/,
    );
    expect(run.log.text).not.toContain(FAKE_TICKET);
    // Everything stored was echoed to stdout too.
    expect(run.stdout).toBe(run.log.text);
  });

  it("runs the install and build as the build user, who cannot read the runner's environment", async () => {
    // Switching to the build user needs root, as the platform's sandbox does: never skipped.
    if (process.getuid?.() !== 0)
      throw new Error(
        'this test runs the build runner as root (it switches to a separate build user); run the suite as root, as .ci/run does',
      );
    const asRoot = await build(join(FIXTURES, 'ok-app'), 'd-test-root');
    const rootIdentity = await identity('d-test-root');
    expect(asRoot.code).toBe(0);
    // Baseline: same user as the runner, so its environment (with the ticket) is readable.
    expect(rootIdentity).toEqual({ uid: 0, ticketVisible: true });

    const switched = await build(join(FIXTURES, 'ok-app'), 'd-test-uid', {
      env: { SLIPWAY_BUILD_UID: '65534', SLIPWAY_BUILD_GID: '65534' },
    });
    expect(switched.code, switched.stderr).toBe(0);
    expect(switched.log.text).toContain('slipway: install and build run as uid 65534');
    expect(await identity('d-test-uid')).toEqual({ uid: 65534, ticketVisible: false });
  });

  it('fails with the reason when the app build fails', async () => {
    const run = await build(join(FIXTURES, 'fail-app'), 'd-test-fail');
    expect(run.code).toBe(1);
    const reason = 'slipway: build failed: build failed (npm run build exited with code 1)';
    expect(run.stderr.trim()).toBe(reason);
    const lines = run.log.text.trimEnd().split('\n');
    expect(lines).toContain('fixture: Error: something in the app is broken');
    expect(lines.at(-1)).toBe(reason);
    expect(await listKeys(s3, 'builds/d-test-fail/bundle')).toEqual([]);
  });

  it('fails when the build writes no Slipway output', async () => {
    const run = await build(join(FIXTURES, 'no-output-app'), 'd-test-noout');
    expect(run.code).toBe(1);
    // The fixture has neither a svelte.config nor a Vite config: the message asks about neither file.
    expect(run.stderr.trim()).toBe(
      "slipway: build failed: the app's build produced no Slipway output: the app has no vite.config or svelte.config file, so no SvelteKit adapter ran; is it a SvelteKit app?",
    );
    expect(run.log.text).toContain('fixture: built without an adapter');
  });

  it('stops the build and its children on SIGTERM', async () => {
    const started = Date.now();
    const run = await build(join(FIXTURES, 'slow-app'), 'd-test-stop', { stopWhen: 'fixture: sleeping' });
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.stderr.trim()).toMatch(
      /^slipway: build failed: build failed \(npm run build (was stopped by signal SIGTERM|exited with code \d+)\) \(the build job was stopped by SIGTERM\)$/,
    );
    expect(run.log.text).toContain('slipway: received SIGTERM, stopping the build');
    expect(run.log.text).not.toContain('fixture: woke up');
  });

  it('stops a build past the subscription limit buildTimeoutSeconds and names the limit', async () => {
    const started = Date.now();
    const run = await build(join(FIXTURES, 'slow-app'), 'd-test-timeout', { env: { SLIPWAY_BUILD_TIMEOUT_SECONDS: '3' } });
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.stderr.trim()).toMatch(/^slipway: build failed: limit buildTimeoutSeconds is 3; the build ran longer \(/);
    expect(run.log.text).toContain('slipway: limit buildTimeoutSeconds is 3; stopping the build');
    expect(run.log.text).not.toContain('fixture: woke up');
  });

  it('fails with a clear reason for a missing source archive and a bad environment', async () => {
    const missing = await runRunner(s3, {
      SLIPWAY_PROJECT: 'fixture',
      SLIPWAY_BUILD_ID: 'd-test-missing',
      SLIPWAY_SOURCE_KEY: 'sources/fixture/nope.tar.gz',
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'slipway: build failed: the source archive s3://slipway-sources/sources/fixture/nope.tar.gz does not exist',
    );
    expect((await readLog(s3, 'd-test-missing')).text).toContain('slipway: build failed:');

    const bad = await runRunner(s3, { SLIPWAY_PROJECT: 'Not Valid', SLIPWAY_BUILD_ID: 'd-test-badenv', SLIPWAY_SOURCE_KEY: 'k' });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('slipway: build failed: environment variable SLIPWAY_PROJECT is not a valid project name');
    expect(bad.stderr + bad.stdout).not.toContain(FAKE_TICKET);
  });
});

describe('build runner install step', () => {
  it('installs with npm install, saying so, when npm ci refuses a package-lock.json that lacks a dependency of package.json', async () => {
    const run = await build(join(FIXTURES, 'stale-lock-app'), 'd-test-stale-lock');
    expect(run.stderr, run.log.text.slice(-3000)).toBe('');
    expect(run.code).toBe(0);
    const lines = run.log.text.split('\n');
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(lines).toContain('slipway: installing with npm ci (found package-lock.json)');
    expect(at('Missing: kleur@4.1.5 from lock file')).toBeGreaterThan(0);
    const fallback = at('slipway: npm ci refused package-lock.json: it does not match package.json.');
    expect(lines[fallback]).toBe(
      'slipway: npm ci refused package-lock.json: it does not match package.json. Installing with npm install instead, which updates the lockfile (as Vercel and Netlify install); commit the lockfile npm install writes to build exactly what you tested',
    );
    expect(fallback).toBeGreaterThan(at('Missing: kleur@4.1.5 from lock file'));
    // The dependency the lockfile lacked was installed: the build imported it.
    expect(lines).toContain('fixture: both dependencies resolve (function, 1000)');
    expect(at('slipway: install finished in')).toBeGreaterThan(fallback);
    expect(await listKeys(s3, 'builds/d-test-stale-lock/bundle')).toEqual(['builds/d-test-stale-lock/bundle.tar.gz']);
  }, 120_000);

  it('ends a failed npm ci with the settings command that installs with npm install instead, and builds nothing', async () => {
    const run = await build(join(FIXTURES, 'install-fails-app'), 'd-test-install-fails');
    expect(run.code).toBe(1);
    const reason =
      'slipway: build failed: install failed (npm ci exited with code 1); to install without holding to the lockfile: slipway settings --project fixture --install-command "npm install"';
    expect(run.stderr.trim()).toBe(reason);
    const lines = run.log.text.trimEnd().split('\n');
    expect(lines).toContain('fixture: the install breaks here');
    expect(lines.at(-1)).toBe(reason);
    // Not a lockfile refusal: no second install, and the build never ran.
    expect(run.log.text).not.toContain('refused package-lock.json');
    expect(run.log.text).not.toContain('the build must not run');
  }, 120_000);
});

describe('build runner on a monorepo', () => {
  /** Builds a workspace fixture as the CLI sends it for `slipway deploy apps/web`: the workspace root, the app's folder as the root directory. */
  async function buildWorkspace(fixture: string, buildId: string) {
    const config: ProjectConfig = { version: 1, settings: { rootDirectory: 'apps/web' }, variables: {}, secrets: [] };
    await s3.client.send(new PutObjectCommand({ Bucket: BUILD_BUCKET, Key: `builds/${buildId}/env.json`, Body: JSON.stringify(config) }));
    const run = await build(join(FIXTURES, fixture), buildId);
    expect(run.stderr, run.log.text.slice(-3000)).toBe('');
    expect(run.code).toBe(0);
    const lines = run.log.text.split('\n');
    // The sibling package resolved: the install linked the workspace at its root.
    expect(lines).toContain('fixture: hello from the workspace package');
    expect(run.log.text).not.toContain('must not run');
    const archive = await getObject(s3, BUILD_BUCKET, `builds/${buildId}/bundle.tar.gz`);
    await validateBundle(archive);
    const entries = await readBundle(archive, (path) => path === 'server/seen.json');
    const seen = JSON.parse(entries.find((e) => e.path === 'server/seen.json')!.body!.toString('utf8')) as {
      cwd: string;
      buildRoute: boolean;
    };
    expect(seen.cwd).toMatch(/\/src\/apps\/web$/);
    // The packer shipped the route folder named build.
    expect(seen.buildRoute).toBe(true);
    return lines;
  }

  it('installs an npm workspace at its root with its lockfile and builds the app in its folder', async () => {
    const lines = await buildWorkspace('npm-workspace', 'd-test-npm-ws');
    expect(lines).toContain('slipway: apps/web is a workspace package of the source root (package.json workspaces); installing there');
    expect(lines).toContain('slipway: installing with npm ci (found package-lock.json)');
  }, 120_000);

  it('installs a pnpm workspace (workspace: dependencies) with pnpm from the configured registry', async () => {
    const lines = await buildWorkspace('pnpm-workspace', 'd-test-pnpm-ws');
    expect(lines).toContain('slipway: apps/web is a workspace package of the source root (pnpm-workspace.yaml); installing there');
    expect(lines.find((l) => l.startsWith('slipway: installing with pnpm'))).toMatch(
      /^slipway: installing with pnpm install --frozen-lockfile \(found pnpm-lock\.yaml(; via npx --yes pnpm@9)?\)$/,
    );
  }, 120_000);
});

const HELLO = join(ROOT, 'examples', 'hello');
describe('build runner on examples/hello (real npm ci + vite build)', () => {
  it('builds the example app and uploads a bundle with a Slipway manifest', async () => {
    const run = await build(HELLO, 'd-test-hello');
    if (run.code !== 0) console.error(run.log.text.slice(-4000));
    expect(run.code).toBe(0);
    expect(run.log.text).toContain('slipway: installing with npm ci (found package-lock.json)');
    const archive = await getObject(s3, BUILD_BUCKET, 'builds/d-test-hello/bundle.tar.gz');
    const entries = await readBundle(archive, () => false);
    expect(entries.map((e) => e.path)).toContain('slipway-manifest.json');
    const validated = await validateBundle(archive);
    expect(validated.manifest.version).toBe(1);
  }, 600_000);
});
