import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../package-root.js';

/**
 * Builds the dashboard (`dashboard/`, a SvelteKit app) with Slipway's own adapter into
 * `dist/dashboard`: the bundle layout of every tenant deployment, which the local platform serves
 * and the CDK app deploys. Skipped when nothing it is made from changed since the last build, so
 * `npm test` and `npm run build` pay for it once.
 */
export const DASHBOARD_OUT = join('dist', 'dashboard');
const DIGEST_FILE = '.inputs-digest';
const SKIPPED = new Set(['node_modules', '.svelte-kit']);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.split(/[\\/]/).some((part) => SKIPPED.has(part)))
    .sort();
}

/** A digest of the dashboard's sources, the adapter it is built with and the locked dependency versions. */
export function dashboardInputsDigest(root = packageRoot()): string {
  const hash = createHash('sha256');
  const inputs = [
    ...filesUnder(join(root, 'dashboard')),
    ...filesUnder(join(root, 'dist', 'buildrunner', 'adapter')),
    join(root, 'package-lock.json'),
  ];
  for (const file of inputs) {
    hash.update(relative(root, file)).update('\0');
    if (existsSync(file)) hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function buildDashboard(root = packageRoot(), { force = false } = {}): 'built' | 'unchanged' {
  const out = join(root, DASHBOARD_OUT);
  const digest = dashboardInputsDigest(root);
  const digestFile = join(out, DIGEST_FILE);
  if (!force && existsSync(join(out, 'slipway-manifest.json')) && existsSync(digestFile) && readFileSync(digestFile, 'utf8') === digest) {
    return 'unchanged';
  }
  const vitePackage = createRequire(join(root, 'package.json')).resolve('vite/package.json');
  const vite = join(dirname(vitePackage), (JSON.parse(readFileSync(vitePackage, 'utf8')) as { bin: { vite: string } }).bin.vite);
  const result = spawnSync(process.execPath, [vite, 'build'], {
    cwd: join(root, 'dashboard'),
    env: { ...process.env, SLIPWAY_ADAPTER_OUT: out, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`the dashboard build failed (vite build exited ${result.status ?? result.signal})`);
  writeFileSync(digestFile, digest);
  return 'built';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outcome = buildDashboard(packageRoot(), { force: process.argv.includes('--force') });
  console.log(outcome === 'built' ? `dashboard built into ${DASHBOARD_OUT}` : 'dashboard unchanged');
}
