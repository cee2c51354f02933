import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readBundle } from '../../handlers/pipeline/bundle/read-bundle.js';
import { buildEnv } from '../../buildrunner/runner/child-env.js';
import {
  resolveRootDirectory,
  secretValues,
  SettingsError,
  shellInvocation,
  withProjectCommands,
  type ProjectConfig,
} from '../../buildrunner/runner/project-config.js';
import {
  BUILD_BUCKET,
  ensureCompiled,
  getObject,
  listKeys,
  readLog,
  ROOT,
  runRunner,
  startS3,
  uploadSource,
  type LocalS3,
} from './harness.js';

const SECRET = 'sk-live-7f3a9c2e1b-secret-value';

describe('project settings in the runner (pieces)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-root-'));
    await mkdir(join(dir, 'src', 'apps', 'web'), { recursive: true });
    await mkdir(join(dir, 'outside'), { recursive: true });
    await symlink(join(dir, 'outside'), join(dir, 'src', 'apps', 'escape'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves the root directory inside the source only', async () => {
    expect(await resolveRootDirectory(join(dir, 'src'), undefined)).toBe(join(dir, 'src'));
    expect(await resolveRootDirectory(join(dir, 'src'), 'apps/web')).toBe(join(dir, 'src', 'apps', 'web'));
    await expect(resolveRootDirectory(join(dir, 'src'), 'apps/nope')).rejects.toThrow(SettingsError);
    await expect(resolveRootDirectory(join(dir, 'src'), 'apps/escape')).rejects.toThrow(/leads outside the source/);
  });

  it('replaces only the commands the project sets, run by the shell', () => {
    const plan = {
      name: 'npm' as const,
      lockfile: null,
      install: { command: 'npm', args: ['install'], label: 'npm install' },
      build: { command: 'npm', args: ['run', 'build'], label: 'npm run build' },
      env: {},
    };
    expect(withProjectCommands(plan, {})).toEqual(plan);
    const custom = withProjectCommands(plan, { buildCommand: 'npm run build:web && echo done' });
    expect(custom.install).toEqual(plan.install);
    expect(custom.build).toEqual(shellInvocation('npm run build:web && echo done'));
    expect(custom.build).toEqual({
      command: 'sh',
      args: ['-c', 'npm run build:web && echo done'],
      label: 'npm run build:web && echo done',
    });
  });

  it('gives the build the project variables, with the platform values winning', () => {
    const env = buildEnv({
      parent: { PATH: '/usr/bin' },
      workspace: '/w',
      outDir: '/w/out',
      registerHook: '/x/register.js',
      project: { PUBLIC_NAME: 'web', NODE_OPTIONS: '--inspect', CI: '0' },
    });
    expect(env.PUBLIC_NAME).toBe('web');
    expect(env.NODE_OPTIONS).toBe('--import file:///x/register.js');
    expect(env.CI).toBe('1');
    expect(env.SLIPWAY_ADAPTER_OUT).toBe('/w/out');
  });

  it('redacts each secret whole and line by line, never plain variables', () => {
    const config: ProjectConfig = {
      version: 1,
      settings: {},
      variables: { A: 'plain-value', KEY: 'line-one\nline-two', T: SECRET },
      secrets: ['KEY', 'T'],
    };
    expect(secretValues(config).sort()).toEqual(['line-one', 'line-one\nline-two', 'line-two', SECRET].sort());
  });
});

describe('a build with project settings (runner against a local S3)', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    ensureCompiled();
    s3 = await startS3();
  }, 300_000);
  afterAll(async () => {
    await s3?.stop();
  });

  it('runs the custom install and build commands in the root directory with the build variables, redacts the secret and deletes the config', async () => {
    const buildId = 'd-test-mono';
    const key = `sources/fixture/${buildId}.tar.gz`;
    await uploadSource(s3, join(ROOT, 'test', 'buildrunner', 'fixtures', 'mono-repo'), key);
    const config: ProjectConfig = {
      version: 1,
      settings: {
        rootDirectory: 'apps/web',
        installCommand: 'echo fixture: custom install',
        buildCommand: 'node custom-build.mjs from-settings',
      },
      variables: { PUBLIC_NAME: 'mono-web', API_TOKEN: SECRET },
      secrets: ['API_TOKEN'],
    };
    await s3.client.send(new PutObjectCommand({ Bucket: BUILD_BUCKET, Key: `builds/${buildId}/env.json`, Body: JSON.stringify(config) }));

    const run = await runRunner(s3, { SLIPWAY_PROJECT: 'fixture', SLIPWAY_BUILD_ID: buildId, SLIPWAY_SOURCE_KEY: key });
    const log = (await readLog(s3, buildId)).text;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    expect(log).toContain('slipway: building in root directory apps/web');
    expect(log).toContain('fixture: custom install');
    expect(log).toMatch(/fixture: cwd=\S+\/apps\/web arg=from-settings/);
    expect(log).toContain('fixture: PUBLIC_NAME=mono-web API_TOKEN=[redacted]');
    expect(log).not.toContain(SECRET);
    expect(run.stdout).not.toContain(SECRET);
    expect(log).not.toContain('must not run');

    const archive = await getObject(s3, BUILD_BUCKET, `builds/${buildId}/bundle.tar.gz`);
    const seen = JSON.parse(
      (await readBundle(archive, (p) => p === 'server/seen.json')).find((e) => e.path === 'server/seen.json')!.body!.toString('utf8'),
    );
    // The build itself gets the decrypted secret; only the log hides it.
    expect(seen).toMatchObject({ PUBLIC_NAME: 'mono-web', API_TOKEN: SECRET });
    expect(seen.cwd).toMatch(/\/apps\/web$/);
    expect(seen.NODE_OPTIONS).toMatch(/^--import /);
    // Read once and gone before the app's code ran.
    expect(await listKeys(s3, `builds/${buildId}/env.json`)).toEqual([]);
  }, 120_000);

  it('fails with a reason naming the setting when the root directory does not exist', async () => {
    const buildId = 'd-test-noroot';
    const key = `sources/fixture/${buildId}.tar.gz`;
    await uploadSource(s3, join(ROOT, 'test', 'buildrunner', 'fixtures', 'mono-repo'), key);
    const config: ProjectConfig = { version: 1, settings: { rootDirectory: 'apps/nope' }, variables: {}, secrets: [] };
    await s3.client.send(new PutObjectCommand({ Bucket: BUILD_BUCKET, Key: `builds/${buildId}/env.json`, Body: JSON.stringify(config) }));
    const run = await runRunner(s3, { SLIPWAY_PROJECT: 'fixture', SLIPWAY_BUILD_ID: buildId, SLIPWAY_SOURCE_KEY: key });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('slipway: build failed: rootDirectory "apps/nope" is not a folder of the source');
  }, 120_000);
});
