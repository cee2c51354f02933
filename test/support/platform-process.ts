import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { seedPlatformHome } from './platform-synth-cache.js';

/** The repository root and the CLI the end-to-end tests run, as a user would. */
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'slipway.js');

export interface PlatformProcess {
  child: ChildProcess;
  port: number;
  /** The platform's own pid, as it wrote it into platform.json. */
  pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in what it printed, as soon as it is printed; rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

let registry: string | undefined;

/** The registry npm is configured with, asked once per file: `slipway up` would spend a process asking on every start. */
export function npmRegistryEnv(): { npm_config_registry?: string } {
  if (process.env.npm_config_registry) return {};
  try {
    registry ??= execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  } catch {
    registry = '';
  }
  return registry ? { npm_config_registry: registry } : {};
}

/** `slipway up --port 0 --no-example` in a child process with its own home; resolves once platform.json names its port. */
export async function startPlatformProcess(home: string, env: NodeJS.ProcessEnv = process.env): Promise<PlatformProcess> {
  seedPlatformHome(home);
  const child = spawn(process.execPath, [CLI, 'up', '--port', '0', '--no-example'], {
    env: { ...npmRegistryEnv(), ...env, SLIPWAY_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const printed = new EventEmitter();
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    printed.emit('data');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    printed.emit('data');
  });
  const info = join(home, 'platform.json');
  // This child's own file: one a killed platform left in the home names another pid.
  const written = (): { port: number; pid: number } | undefined => {
    if (!existsSync(info)) return undefined;
    const running = JSON.parse(readFileSync(info, 'utf8')) as { port: number; pid: number };
    return running.pid === child.pid ? running : undefined;
  };
  for (let i = 0; i < 3000 && !written() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
  const running = written();
  if (!running) throw new Error(`platform did not start:\n${output}`);
  return {
    child,
    port: running.port,
    pid: running.pid,
    output: () => output,
    waitForOutput: (pattern, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (!match) return;
          clearTimeout(timer);
          printed.off('data', check);
          resolve(match);
        };
        const timer = setTimeout(() => {
          printed.off('data', check);
          reject(new Error(`the platform printed no ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        printed.on('data', check);
        check();
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs the CLI against the platform of `home`. */
export function runCli(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, SLIPWAY_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Copies an example app's sources (no dependencies or build output) to `dest`. A folder named
 * `build` is output only beside a package.json (an app's, a workspace package's); elsewhere
 * (`src/routes/build`, `static/build`) it is source.
 */
export function copyExampleApp(example: string, dest: string): void {
  cpSync(example, dest, {
    recursive: true,
    filter: (source) => {
      if (/[/\\](node_modules|\.svelte-kit|\.slipway-build)([/\\]|$)/.test(source.slice(example.length))) return false;
      return basename(source) !== 'build' || !existsSync(join(dirname(source), 'package.json'));
    },
  });
}
