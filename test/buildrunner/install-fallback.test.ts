import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installHint } from '../../buildrunner/runner/install-hint.js';
import { noAdapterMessage } from '../../buildrunner/runner/no-adapter.js';
import { detectPackageManager, REFUSALS } from '../../buildrunner/runner/package-manager.js';

const dirs: string[] = [];
function appWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-install-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const PACKAGE = JSON.stringify({ name: 'app', scripts: { build: 'vite build' } });
const onPath = (names: string[]) => ({ hasCommand: async (name: string) => names.includes(name) });

describe('the install that updates the lockfile, when the lockfile-exact one refuses it', () => {
  it('is npm install after npm ci, pnpm install --no-frozen-lockfile, yarn install, bun install', async () => {
    const npm = await detectPackageManager(appWith({ 'package.json': PACKAGE, 'package-lock.json': '{}' }));
    expect(npm.install.label).toBe('npm ci');
    expect(npm.relaxed?.install).toEqual({ command: 'npm', args: ['install'], label: 'npm install' });
    const pnpm = await detectPackageManager(appWith({ 'package.json': PACKAGE, 'pnpm-lock.yaml': '' }), onPath(['pnpm']));
    expect(pnpm.relaxed?.install).toEqual({
      command: 'pnpm',
      args: ['install', '--no-frozen-lockfile'],
      label: 'pnpm install --no-frozen-lockfile',
    });
    const pnpmVia = await detectPackageManager(appWith({ 'package.json': PACKAGE, 'pnpm-lock.yaml': '' }), onPath([]));
    expect(pnpmVia.relaxed?.install.args).toEqual(['--yes', 'pnpm@9', 'install', '--no-frozen-lockfile']);
    const yarn = await detectPackageManager(appWith({ 'package.json': PACKAGE, 'yarn.lock': '# yarn lockfile v1\n' }), onPath(['yarn']));
    expect(yarn.relaxed?.install.label).toBe('yarn install --non-interactive');
    const berry = await detectPackageManager(appWith({ 'package.json': PACKAGE, 'yarn.lock': '__metadata:\n  version: 8\n' }));
    expect(berry.relaxed?.install.args).toEqual(['yarn@4', 'install', '--no-immutable']);
    expect(berry.relaxed?.env).toEqual({ YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' });
    const bun = await detectPackageManager(appWith({ 'package.json': PACKAGE, 'bun.lock': '{}' }), onPath(['bun']));
    expect(bun.relaxed?.install.label).toBe('bun install');
    // No lockfile: npm install already, nothing to relax.
    expect((await detectPackageManager(appWith({ 'package.json': PACKAGE }))).relaxed).toBeUndefined();
  });

  it('runs only on the refusal of an out-of-date lockfile, not on any other failure', () => {
    // As npm 10 and 11 print it for a package.json dependency the lockfile lacks.
    expect(
      REFUSALS.npm.test(
        'npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.',
      ),
    ).toBe(true);
    expect(
      REFUSALS.npm.test('npm error `npm ci` can only install packages when your package.json and npm-shrinkwrap.json are in sync.'),
    ).toBe(true);
    expect(
      REFUSALS.pnpm.test(' ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile" because pnpm-lock.yaml is not up to date'),
    ).toBe(true);
    expect(REFUSALS.yarn.test('error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.')).toBe(true);
    expect(
      REFUSALS.yarnBerry.test('➤ YN0028: │ The lockfile would have been modified by this install, which is explicitly forbidden.'),
    ).toBe(true);
    expect(REFUSALS.bun.test('error: lockfile had changes, but lockfile is frozen')).toBe(true);
    for (const other of [
      'npm error code E404',
      'npm error 404 Not Found - GET https://example.invalid/nope - Not found',
      'npm error code ERESOLVE',
      'npm error network request failed, reason: getaddrinfo EAI_AGAIN',
      ' ERR_PNPM_FETCH_404  GET https://example.invalid/nope: Not Found - 404',
    ]) {
      for (const refusal of Object.values(REFUSALS)) expect(refusal.test(other), other).toBe(false);
    }
  });
});

describe('the hint a failed install ends with', () => {
  const npmPlan = {
    name: 'npm' as const,
    relaxed: { install: { command: 'npm', args: ['install'], label: 'npm install' }, refusal: REFUSALS.npm },
  };
  const npmCi = { command: 'npm', args: ['ci'], label: 'npm ci' };

  it('names npm install when npm ci failed', () => {
    expect(installHint({ project: 'hello', failed: npmCi, own: false, plan: npmPlan, output: ['npm error code 1'] })).toBe(
      'to install without holding to the lockfile: slipway settings --project hello --install-command "npm install"',
    );
  });

  it('names --legacy-peer-deps for a peer dependency conflict, whichever npm install failed', () => {
    const output = ['npm error code ERESOLVE', 'npm error ERESOLVE unable to resolve dependency tree'];
    const expected =
      'to install past the peer dependency conflict above: slipway settings --project hello --install-command "npm install --legacy-peer-deps"';
    expect(installHint({ project: 'hello', failed: npmCi, own: false, plan: npmPlan, output })).toBe(expected);
    expect(installHint({ project: 'hello', failed: npmPlan.relaxed.install, own: false, plan: npmPlan, output })).toBe(expected);
  });

  it('points at the error when the install that updates the lockfile failed too, with the command to install another way', () => {
    expect(
      installHint({ project: 'hello', failed: npmPlan.relaxed.install, own: false, plan: npmPlan, output: ['npm error code E404'] }),
    ).toBe(
      'fix the error above in the app\'s dependencies, or install another way: slipway settings --project hello --install-command "<command>"',
    );
  });

  it("names the manager's own relaxed command line, through npx when that is how it runs", () => {
    const plan = {
      name: 'pnpm' as const,
      relaxed: {
        install: {
          command: 'npx',
          args: ['--yes', 'pnpm@9', 'install', '--no-frozen-lockfile'],
          label: 'pnpm install --no-frozen-lockfile',
        },
        refusal: REFUSALS.pnpm,
      },
    };
    const failed = { command: 'npx', args: ['--yes', 'pnpm@9', 'install', '--frozen-lockfile'], label: 'pnpm install --frozen-lockfile' };
    expect(installHint({ project: 'web', failed, own: false, plan, output: [] })).toBe(
      'to install without holding to the lockfile: slipway settings --project web --install-command "npx --yes pnpm@9 install --no-frozen-lockfile"',
    );
  });

  it("says the project's own install command failed and how to change or reset it", () => {
    const own = { command: 'sh', args: ['-c', 'make deps'], label: 'make deps' };
    expect(installHint({ project: 'hello', failed: own, own: true, plan: npmPlan, output: ['npm error code ERESOLVE'] })).toBe(
      'the project\'s own install command failed: fix it with slipway settings --project hello --install-command "<command>", or go back to the detected install with slipway settings --project hello --install-command ""',
    );
  });
});

describe('the message of a build that wrote no Slipway output', () => {
  it('asks about the config file the app has: svelte.config.*, else the Vite config, else whether it is a SvelteKit app', async () => {
    expect(await noAdapterMessage(appWith({ 'package.json': PACKAGE, 'svelte.config.js': '', 'vite.config.ts': '' }))).toBe(
      "the app's build produced no Slipway output: does svelte.config.js name an adapter (kit.adapter)?",
    );
    expect(await noAdapterMessage(appWith({ 'package.json': PACKAGE, 'svelte.config.ts': '' }))).toContain(
      'does svelte.config.ts name an adapter',
    );
    // What `sv create` scaffolds for SvelteKit 3: no svelte.config at all.
    const kit3 = await noAdapterMessage(appWith({ 'package.json': PACKAGE, 'vite.config.ts': '' }));
    expect(kit3).toBe(
      "the app's build produced no Slipway output: does vite.config.ts pass an adapter to sveltekit() (sveltekit({ adapter: adapter() }))?",
    );
    expect(kit3).not.toContain('svelte.config');
    expect(await noAdapterMessage(appWith({ 'package.json': PACKAGE }))).toBe(
      "the app's build produced no Slipway output: the app has no vite.config or svelte.config file, so no SvelteKit adapter ran; is it a SvelteKit app?",
    );
  });
});
