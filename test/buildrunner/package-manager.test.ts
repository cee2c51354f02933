import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectPackageManager } from '../../buildrunner/runner/package-manager.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-pm-'));
  await writeFile(join(dir, 'package.json'), '{"name":"app","scripts":{"build":"vite build"}}');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const none = async () => false;
const all = async () => true;
const argv = (inv: { command: string; args: string[] }) => [inv.command, ...inv.args].join(' ');

describe('package manager detection', () => {
  it('uses npm ci for package-lock.json and npm-shrinkwrap.json', async () => {
    await writeFile(join(dir, 'npm-shrinkwrap.json'), '{}');
    let plan = await detectPackageManager(dir, { hasCommand: none });
    expect(plan).toMatchObject({ name: 'npm', lockfile: 'npm-shrinkwrap.json' });
    expect(argv(plan.install)).toBe('npm ci');
    expect(argv(plan.build)).toBe('npm run build');
    await writeFile(join(dir, 'package-lock.json'), '{}');
    plan = await detectPackageManager(dir, { hasCommand: none });
    expect(plan.lockfile).toBe('package-lock.json');
    expect(plan.install.label).toBe('npm ci');
  });

  it('uses npm install without a lockfile', async () => {
    const plan = await detectPackageManager(dir, { hasCommand: none });
    expect(plan).toMatchObject({ name: 'npm', lockfile: null });
    expect(argv(plan.install)).toBe('npm install');
    expect(argv(plan.build)).toBe('npm run build');
  });

  it('uses pnpm with a frozen lockfile, from PATH or through npx', async () => {
    await writeFile(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const onPath = await detectPackageManager(dir, { hasCommand: all });
    expect(argv(onPath.install)).toBe('pnpm install --frozen-lockfile');
    expect(argv(onPath.build)).toBe('pnpm run build');
    expect(onPath.via).toBeUndefined();
    const viaNpx = await detectPackageManager(dir, { hasCommand: none });
    expect(argv(viaNpx.install)).toBe('npx --yes pnpm@9 install --frozen-lockfile');
    expect(argv(viaNpx.build)).toBe('npx --yes pnpm@9 run build');
    expect(viaNpx.install.label).toBe('pnpm install --frozen-lockfile');
  });

  it('honours a packageManager pin of the same tool', async () => {
    await writeFile(join(dir, 'package.json'), '{"packageManager":"pnpm@9.12.3+sha512.abc"}');
    await writeFile(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const plan = await detectPackageManager(dir, { hasCommand: none });
    expect(argv(plan.install)).toBe('npx --yes pnpm@9.12.3 install --frozen-lockfile');
  });

  it('uses yarn classic for a v1 lockfile', async () => {
    await writeFile(join(dir, 'yarn.lock'), '# yarn lockfile v1\n');
    const onPath = await detectPackageManager(dir, { hasCommand: all });
    expect(argv(onPath.install)).toBe('yarn install --frozen-lockfile --non-interactive');
    expect(argv(onPath.build)).toBe('yarn run build');
    const viaNpx = await detectPackageManager(dir, { hasCommand: none });
    expect(argv(viaNpx.install)).toBe('npx --yes yarn@1 install --frozen-lockfile --non-interactive');
  });

  it('uses corepack for a Yarn 2+ lockfile', async () => {
    await writeFile(join(dir, 'yarn.lock'), '__metadata:\n  version: 8\n');
    const plan = await detectPackageManager(dir, { hasCommand: all });
    expect(plan.name).toBe('yarn');
    expect(argv(plan.install)).toBe('corepack yarn@4 install --immutable');
    expect(argv(plan.build)).toBe('corepack yarn@4 run build');
    // The major that wrote the lockfile: a Yarn 3 lockfile is not rewritten (which --immutable refuses).
    await writeFile(join(dir, 'yarn.lock'), '# yarn\n\n__metadata:\n  version: 6\n  cacheKey: 8\n');
    expect(argv((await detectPackageManager(dir, { hasCommand: all })).install)).toBe('corepack yarn@3 install --immutable');
    expect(plan.env.COREPACK_ENABLE_DOWNLOAD_PROMPT).toBe('0');
  });

  it('prefers the npm lockfile when several are present', async () => {
    await writeFile(join(dir, 'yarn.lock'), '# yarn lockfile v1\n');
    await writeFile(join(dir, 'package-lock.json'), '{}');
    expect((await detectPackageManager(dir, { hasCommand: all })).name).toBe('npm');
  });
});
