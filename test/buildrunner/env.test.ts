import { describe, expect, it } from 'vitest';
import { readBuildTarget, readRunnerConfig } from '../../buildrunner/runner/env.js';
import { buildEnv, installEnv } from '../../buildrunner/runner/child-env.js';
import { LineSplitter } from '../../buildrunner/runner/run-command.js';

const ticket = 'eyJhbGciOiJIUzI1NiJ9.eyJvcCI6ImJ1aWxkIn0.c2lnbmF0dXJl';
const good = {
  SLIPWAY_PROJECT: 'my-app',
  SLIPWAY_BUILD_ID: 'd-lz3k9a-x7y8',
  SLIPWAY_SOURCE_BUCKET: 'slipway-sources',
  SLIPWAY_SOURCE_KEY: 'sources/my-app/u-1.tar.gz',
  SLIPWAY_BUILD_BUCKET: 'slipway-builds',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

describe('runner environment', () => {
  it('reads a complete environment', () => {
    const config = readRunnerConfig({ ...good, SLIPWAY_WORKSPACE: 'ws' }, '/base');
    expect(config).toMatchObject({
      project: 'my-app',
      buildId: 'd-lz3k9a-x7y8',
      workspace: '/base/ws',
      sourceKey: 'sources/my-app/u-1.tar.gz',
    });
    expect(config.secrets).toEqual([good.AWS_SECRET_ACCESS_KEY]);
    expect(readRunnerConfig(good, '/here').workspace).toBe('/here');
  });

  it.each([
    ['SLIPWAY_PROJECT', undefined, 'environment variable SLIPWAY_PROJECT is not set'],
    ['SLIPWAY_PROJECT', 'Bad_Name', 'environment variable SLIPWAY_PROJECT is not a valid project name'],
    ['SLIPWAY_BUILD_ID', 'x/../y', 'environment variable SLIPWAY_BUILD_ID must look like'],
    ['SLIPWAY_SOURCE_KEY', '', 'environment variable SLIPWAY_SOURCE_KEY is empty'],
    ['npm_config_registry', 'not a url', 'environment variable npm_config_registry is not a URL'],
  ])('names the bad variable %s', (name, value, message) => {
    expect(() => readRunnerConfig({ ...good, [name]: value })).toThrow(message);
  });

  it('never echoes a bad value', () => {
    expect(() => readRunnerConfig({ ...good, SLIPWAY_PROJECT: 'secret value with spaces' })).toThrow(
      /^(?!.*secret value).*SLIPWAY_PROJECT is not a valid project name/,
    );
  });

  it('takes no ticket: the job is confined by its scoped credentials, and a stray one is not kept', () => {
    const config = readRunnerConfig({ ...good, SLIPWAY_TICKET: ticket }, '/here');
    expect(JSON.stringify(config)).not.toContain(ticket);
  });

  it('reads the log target alone', () => {
    expect(readBuildTarget({ SLIPWAY_BUILD_BUCKET: 'slipway-builds', SLIPWAY_BUILD_ID: 'd-1' })).toEqual({
      buildBucket: 'slipway-builds',
      buildId: 'd-1',
    });
    expect(() => readBuildTarget({ SLIPWAY_BUILD_ID: 'd-1' })).toThrow('SLIPWAY_BUILD_BUCKET is not set');
  });
});

describe('child environment', () => {
  const parent = {
    ...good,
    PATH: '/usr/bin',
    HOME: '/ws',
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: 'AKIA',
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1',
    AWS_REGION: 'us-east-1',
    SLIPWAY_SOURCE_KEY: 'k',
    NODE_OPTIONS: '--inspect',
  };

  it('keeps only the basics for the install', () => {
    const env = installEnv({
      parent: { ...parent, TMPDIR: '/tmp' },
      workspace: '/ws',
      tmpDir: '/ws/tmp',
      npmRegistry: 'http://registry.invalid/',
    });
    expect(env.TMPDIR).toBe('/ws/tmp');
    expect(Object.keys(env).filter((k) => k.startsWith('AWS_') || k.startsWith('SLIPWAY_') || k === 'NODE_OPTIONS')).toEqual([]);
    expect(env).toMatchObject({ HOME: '/ws', LANG: 'C.UTF-8', CI: '1', npm_config_registry: 'http://registry.invalid/' });
    expect(env.PATH).toContain('/usr/bin');
    expect(env.NODE_ENV).toBeUndefined();
  });

  it('adds the adapter output, hook and NODE_ENV for the build', () => {
    const env = buildEnv({
      parent,
      workspace: '/ws',
      outDir: '/ws/out',
      registerHook: '/opt/slipway/dist/buildrunner/adapter/register.js',
    });
    expect(env.SLIPWAY_ADAPTER_OUT).toBe('/ws/out');
    expect(env.NODE_OPTIONS).toBe('--import file:///opt/slipway/dist/buildrunner/adapter/register.js');
    expect(env.NODE_ENV).toBe('production');
    expect(JSON.stringify(env)).not.toContain(ticket);
    expect(JSON.stringify(env)).not.toContain('AKIA');
  });
});

describe('line splitting', () => {
  it('splits on \\n, \\r\\n and \\r, across chunks', () => {
    const lines: string[] = [];
    const split = new LineSplitter((l) => lines.push(l));
    split.push('a\r\nb');
    split.push('c\nprogress 1\rprogress 2\n');
    split.push('tail');
    split.end();
    expect(lines).toEqual(['a', 'bc', 'progress 1', 'progress 2', 'tail']);
  });
});
