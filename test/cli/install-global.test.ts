import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const prefix = mkdtempSync(join(tmpdir(), 'slipway-global-'));
const elsewhere = mkdtempSync(join(tmpdir(), 'slipway-elsewhere-'));

afterAll(() => {
  rmSync(prefix, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

/** `slipway …` as a user's shell finds it after the install: by name on PATH, from a directory that is not the checkout. */
function slipway(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync('slipway', args, {
    cwd: elsewhere,
    encoding: 'utf8',
    env: { ...process.env, ...env, PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` },
  });
}

describe('npm install -g . from the checkout', () => {
  it('puts a slipway command on PATH that runs from any directory', { timeout: 60_000 }, () => {
    // A temporary prefix, offline, and no scripts: dist/ is built already (pretest), nothing is fetched.
    const install = spawnSync(
      'npm',
      ['install', '--global', '--prefix', prefix, '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ROOT],
      {
        cwd: elsewhere,
        encoding: 'utf8',
      },
    );
    expect(install.status, install.stderr).toBe(0);
    expect(existsSync(join(prefix, 'bin', 'slipway'))).toBe(true);

    // The same CLI as the checkout's own bin, word for word.
    const help = slipway(['--help']);
    expect(help.status, help.stderr).toBe(0);
    const fromCheckout = spawnSync(process.execPath, [join(ROOT, 'bin', 'slipway.js'), '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help.stdout).toBe(fromCheckout.stdout);
    expect(help.stdout).toContain('slipway');

    // A verb that needs the compiled CLI's modules gets as far as looking for a platform.
    const projects = slipway(['projects'], { SLIPWAY_HOME: join(elsewhere, 'no-platform-here'), SLIPWAY_API_URL: '', SLIPWAY_TOKEN: '' });
    expect(projects.stderr).not.toContain('dist/ is missing');
    expect(projects.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(projects.stderr).toMatch(/^slipway: /);
    expect(projects.status).toBe(1);
  });
});
