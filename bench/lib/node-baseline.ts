import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The baseline: the same app source built with `@sveltejs/adapter-node` and served by `node build`.
 * The build is cached under the system temp dir, keyed by a hash of the source and of the adapter
 * version, so a bench run installs and builds it once.
 */
const SKIPPED = new Set(['node_modules', '.svelte-kit', 'build', '.slipway']);

function sourceFiles(dir: string, root = dir): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (SKIPPED.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path, root));
    else files.push(relative(root, path));
  }
  return files;
}

function adapterEntry(): { url: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('@sveltejs/adapter-node/package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { url: pathToFileURL(join(manifest, '..', 'index.js')).href, version };
}

/** The app's svelte.config.js with its adapter replaced by adapter-node (imported from this package's own install). */
function nodeSvelteConfig(original: string, adapterUrl: string): string {
  const swapped = original.replace(/import\s+adapter\s+from\s+['"][^'"]+['"]/, `import adapter from ${JSON.stringify(adapterUrl)}`);
  if (swapped === original) throw new Error('svelte.config.js has no `import adapter from ...` line to swap for adapter-node');
  return swapped;
}

/** Builds (or finds cached) the app with adapter-node; returns the directory holding `build/`. */
export function buildWithAdapterNode(appDir: string, log: (line: string) => void): string {
  const adapter = adapterEntry();
  const hash = createHash('sha256').update(`adapter-node@${adapter.version}\n`);
  for (const file of sourceFiles(appDir)) hash.update(`${file}\n`).update(readFileSync(join(appDir, file)));
  const cacheDir = join(tmpdir(), 'slipway-bench', `node-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(cacheDir, 'build', 'index.js'))) {
    log(`adapter-node build: cached in ${cacheDir}`);
    return cacheDir;
  }
  const workDir = `${cacheDir}.${process.pid}`;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const file of sourceFiles(appDir)) cpSync(join(appDir, file), join(workDir, file));
  const configFile = join(workDir, 'svelte.config.js');
  writeFileSync(configFile, nodeSvelteConfig(readFileSync(configFile, 'utf8'), adapter.url));
  log(`adapter-node build: installing and building in ${workDir}`);
  const run = (args: string[]) => execFileSync('npm', args, { cwd: workDir, stdio: ['ignore', 'ignore', 'inherit'] });
  run(existsSync(join(workDir, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
  run(['run', 'build']);
  rmSync(cacheDir, { recursive: true, force: true });
  renameSync(workDir, cacheDir);
  return cacheDir;
}

export interface NodeServer {
  process: ChildProcess;
  url: string;
  close(): Promise<void>;
}

/** `node build` on the port, as adapter-node's docs run it in production. */
export async function startNodeServer(appDir: string, port: number): Promise<NodeServer> {
  const child = spawn(process.execPath, ['build'], {
    cwd: appDir,
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`adapter-node server exited with ${code} before listening`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Listening')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return {
    process: child,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
