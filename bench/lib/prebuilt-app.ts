import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../infra/package-root.js';

/**
 * An app whose build script copies an already built Slipway output of the bench app into place:
 * deploying it runs every platform step for real (pack, upload, sandbox, install, validate,
 * promote, release) but replaces the user's install + vite build by a copy of their result. The
 * bench uses it to fill the platform with many projects in minutes instead of an hour.
 */
const COPY_SCRIPT = `import { cpSync } from 'node:fs';
const out = process.env.SLIPWAY_ADAPTER_OUT;
if (!out) throw new Error('SLIPWAY_ADAPTER_OUT is not set: this app only builds on Slipway');
cpSync('prebuilt', out, { recursive: true });
`;

/** A hash of the compiled adapter (its build step and runtime files). */
function adapterHash(): string {
  const root = join(packageRoot(), 'dist', 'buildrunner', 'adapter');
  const hash = createHash('sha256');
  for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(root, file);
    if (statSync(path).isFile()) hash.update(`${file}\n`).update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 12);
}

/** Builds the app in `installedAppDir` (its dependencies installed) with Slipway's adapter, and wraps the output as a copy-only app. */
export function prebuiltApp(installedAppDir: string, log: (line: string) => void): string {
  const registerHook = join(packageRoot(), 'dist', 'buildrunner', 'adapter', 'register.js');
  if (!existsSync(registerHook)) throw new Error('dist/buildrunner/adapter/register.js is missing: run `npm run build` first');
  // Built again whenever the adapter changes: the copies must run the runtime a deploy would build.
  const appDir = join(installedAppDir, '..', `${installedAppDir.split('/').at(-1)}-prebuilt-${adapterHash()}`);
  if (existsSync(join(appDir, 'prebuilt', 'slipway-manifest.json'))) return appDir;
  const workDir = `${appDir}.${process.pid}`;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  log('prebuilt app: building the bench app once with the Slipway adapter');
  execFileSync('npm', ['run', 'build'], {
    cwd: installedAppDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SLIPWAY_ADAPTER_OUT: join(workDir, 'prebuilt'),
      NODE_OPTIONS: `--import ${pathToFileURL(registerHook).href}`,
    },
    // Vite's timing notes would interleave with the bench's progress; a failure throws with its stderr.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  writeFileSync(join(workDir, 'copy.mjs'), COPY_SCRIPT);
  writeFileSync(
    join(workDir, 'package.json'),
    `${JSON.stringify({ name: 'bench-prebuilt', private: true, type: 'module', scripts: { build: 'node copy.mjs' } }, null, 2)}\n`,
  );
  // No dependencies: the install step has nothing to fetch, but runs (and the lockfile says so).
  writeFileSync(
    join(workDir, 'package-lock.json'),
    `${JSON.stringify({ name: 'bench-prebuilt', lockfileVersion: 3, requires: true, packages: { '': { name: 'bench-prebuilt' } } }, null, 2)}\n`,
  );
  rmSync(appDir, { recursive: true, force: true });
  cpSync(workDir, appDir, { recursive: true });
  rmSync(workDir, { recursive: true, force: true });
  return appDir;
}
