import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../infra/package-root.js';
import { ApiClient } from '../../cli/api-client.js';

/**
 * `slipway up` in its own process, with its own state directory and port, so its CPU time and
 * memory (with its workers and storage servers) are measured apart from the load generator.
 */
export interface PlatformChild {
  process: ChildProcess;
  port: number;
  api: ApiClient;
  close(): Promise<void>;
}

/**
 * `nodeArgs` go to Node before the script (a memory probe, heap flags); `settings` are operator
 * settings for this start (README, "Configuration"), over the bench's own environment.
 */
export async function startPlatformChild(
  home: string,
  port: number,
  log: (line: string) => void,
  options: { nodeArgs?: string[]; settings?: Record<string, string> } = {},
): Promise<PlatformChild> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), join(packageRoot(), 'bin', 'slipway.js'), 'up', '--port', String(port), '--no-example'],
    {
      env: { ...process.env, ...options.settings, SLIPWAY_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Tenant worker and build lines go to the bench's stderr only when asked for: they would drown the table.
  const verbose = process.env.BENCH_VERBOSE === '1';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (verbose) process.stderr.write(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`slipway up exited with ${code} before it was running`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (verbose) process.stderr.write(chunk);
      if (chunk.toString().includes('platform running')) resolve();
    });
  });
  child.removeAllListeners('exit');
  log(`platform: slipway up (pid ${child.pid}) on port ${port}`);
  const token = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
  // The file `slipway up` writes for the CLI says where its API answers.
  const { apiUrl } = JSON.parse(await readFile(join(home, 'platform.json'), 'utf8')) as { apiUrl: string };
  return {
    process: child,
    port,
    api: new ApiClient({ apiUrl, token, port }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
