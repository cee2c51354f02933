import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The CLI as an installed command (issue 14, acceptance 2): `npm install -g .` from the checkout,
 * here into a temporary prefix, gives a `slipway` that works from any directory; the package's
 * `files` ship what the CLI and the local platform read at run time.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const made: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('installing the CLI', () => {
  it('npm install -g gives a slipway command that answers from any directory', () => {
    const prefix = temp('slipway-prefix-');
    // A folder install links the checkout (dist/ is already built): nothing to fetch, nothing to run.
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ROOT], {
      stdio: 'pipe',
    });
    const slipway = join(prefix, 'bin', 'slipway');
    const elsewhere = temp('slipway-elsewhere-');
    const home = temp('slipway-home-');
    const run = (args: string[]) =>
      spawnSync(slipway, args, {
        cwd: elsewhere,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
      });

    const shown = run(['--version']);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(`slipway ${version}\n`);
    expect(run(['help']).stdout).toContain('`slipway help COMMAND`');
    // A real command, from a directory that is neither the checkout nor an app: one line saying what to do.
    const unlinked = run(['deployments']);
    expect(unlinked.status).toBe(2);
    expect(unlinked.stderr).toBe('slipway: no project here: run `slipway link` in your app directory, or add --project NAME\n');
    const signedOut = run(['projects']);
    expect(signedOut.status).toBe(1);
    expect(signedOut.stderr).toMatch(/^slipway: not signed in: run `slipway login URL`/);
  }, 60_000);

  it("the package's files hold the CLI, the compiled platform, the edge functions and the example; no tests or build state", () => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Array<{ files: Array<{ path: string }> }>;
    const files = (packed[0]?.files ?? []).map((f) => f.path);
    for (const needed of [
      'bin/slipway.js',
      'dist/cli/main.js',
      'dist/infra/local/platform.js',
      'dist/buildrunner/main.js',
      'router/cloudfront/viewer-request.js',
      'examples/hello/package.json',
      'README.md',
    ])
      expect(files, needed).toContain(needed);
    expect(files.filter((f) => /^(test|cli|handlers|infra)\/|tsbuildinfo|node_modules|^\.slipway/.test(f))).toEqual([]);
  }, 60_000);
});
