import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findWorkspace, isWorkspacePackage } from '../../buildrunner/runner/workspace.js';
import { detectPackageManager } from '../../buildrunner/runner/package-manager.js';
import { sourceRoot } from '../../cli/deploy.js';

let top: string;
beforeEach(async () => {
  top = await mkdtemp(join(tmpdir(), 'slipway-ws-'));
});
afterEach(async () => {
  await rm(top, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<void> {
  for (const [path, body] of Object.entries(files)) {
    await mkdir(dirname(join(top, path)), { recursive: true });
    await writeFile(join(top, path), body);
  }
}

const app = '{"name":"web","scripts":{"build":"vite build"}}';

describe('workspace detection', () => {
  it('finds a pnpm workspace by its pnpm-workspace.yaml, and installs with pnpm there', async () => {
    await tree({
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n",
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      'package.json': '{"name":"mono","private":true,"packageManager":"pnpm@9.15.0"}',
      'apps/web/package.json': app,
    });
    const found = await findWorkspace(join(top, 'apps', 'web'), top);
    expect(found).toEqual({ root: top, app: 'apps/web', declaredBy: 'pnpm-workspace.yaml' });
    const plan = await detectPackageManager(found!.root, { hasCommand: async () => false });
    expect(plan).toMatchObject({ name: 'pnpm', lockfile: 'pnpm-lock.yaml' });
    expect(plan.install.args).toEqual(['--yes', 'pnpm@9.15.0', 'install', '--frozen-lockfile']);
  });

  it('finds npm and yarn workspaces when their patterns name the app, and not otherwise', async () => {
    await tree({
      'package.json': '{"name":"mono","private":true,"workspaces":["apps/*","!apps/legacy"]}',
      'package-lock.json': '{}',
      'apps/web/package.json': app,
      'apps/legacy/package.json': app,
      'tools/site/package.json': app,
    });
    expect(await findWorkspace(join(top, 'apps', 'web'), top)).toEqual({
      root: top,
      app: 'apps/web',
      declaredBy: 'package.json workspaces',
    });
    expect(await findWorkspace(join(top, 'apps', 'legacy'), top)).toBeUndefined();
    expect(await findWorkspace(join(top, 'tools', 'site'), top)).toBeUndefined();
    expect((await detectPackageManager(top)).install.label).toBe('npm ci');

    // Yarn's object form.
    await writeFile(join(top, 'package.json'), '{"workspaces":{"packages":["tools/**"]}}');
    expect((await findWorkspace(join(top, 'tools', 'site'), top))?.app).toBe('tools/site');
  });

  it('matches workspace patterns as npm does', () => {
    expect(isWorkspacePackage('apps/web', ['apps/*'])).toBe(true);
    expect(isWorkspacePackage('apps/web', ['./apps/web/'])).toBe(true);
    expect(isWorkspacePackage('apps/web/site', ['apps/*'])).toBe(false);
    expect(isWorkspacePackage('apps/web/site', ['apps/**'])).toBe(true);
    expect(isWorkspacePackage('apps/web', ['apps/*', '!apps/web'])).toBe(false);
  });

  it('never looks above the folder it is told to stop at', async () => {
    await tree({ 'pnpm-workspace.yaml': 'packages: []\n', 'src/apps/web/package.json': app });
    expect(await findWorkspace(join(top, 'src', 'apps', 'web'), join(top, 'src'))).toBeUndefined();
    expect((await findWorkspace(join(top, 'src', 'apps', 'web'), top))?.app).toBe('src/apps/web');
    // The app at the source root is no workspace package, whatever it declares.
    expect(await findWorkspace(join(top, 'src'), join(top, 'src'))).toBeUndefined();
  });

  it('detects bun by its lockfiles', async () => {
    await tree({ 'package.json': '{"workspaces":["apps/*"]}', 'bun.lock': '{}', 'apps/web/package.json': app });
    const plan = await detectPackageManager(top, { hasCommand: async () => false });
    expect(plan).toMatchObject({ name: 'bun', lockfile: 'bun.lock' });
    expect([plan.install.command, ...plan.install.args]).toEqual(['npx', '--yes', 'bun@1', 'install', '--frozen-lockfile']);
    expect([plan.build.command, ...plan.build.args]).toEqual(['npx', '--yes', 'bun@1', 'run', 'build']);
    await rm(join(top, 'bun.lock'));
    await writeFile(join(top, 'bun.lockb'), '');
    const onPath = await detectPackageManager(top, { hasCommand: async () => true });
    expect([onPath.install.command, ...onPath.install.args]).toEqual(['bun', 'install', '--frozen-lockfile']);
  });
});

describe('what the CLI uploads for a folder', () => {
  it('uploads the workspace root with the app folder as the root directory, within the git repository', async () => {
    await tree({
      'repo/package.json': '{"workspaces":["apps/*"]}',
      'repo/apps/web/package.json': app,
      'repo/apps/web/src/app.html': '',
      'package.json': '{"workspaces":["repo/apps/*"]}',
    });
    await mkdir(join(top, 'repo', '.git'));
    const web = join(top, 'repo', 'apps', 'web');
    expect(await sourceRoot(web)).toEqual({ root: join(top, 'repo'), rootDirectory: 'apps/web' });
    // A folder that is no workspace package is uploaded as it is.
    expect(await sourceRoot(join(web, 'src'))).toEqual({ root: join(web, 'src') });
  });
});
