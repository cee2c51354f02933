import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../package-root.js';
import type { BuildJobRequest } from '../engine/task-bindings.js';

/**
 * The local stand-in for an AWS Batch job: the build runner in a bubblewrap sandbox.
 *
 * On AWS a build runs in a fresh Batch container that sees nothing of the platform but the
 * environment its job definition hands it. Locally the same runner runs as a child process in a
 * bubblewrap (`bwrap`) sandbox that gives it the same view: a read-only host file system, the
 * platform's state and secrets hidden under empty tmpfs mounts, a fresh writable workspace, its own
 * PID/IPC/UTS namespaces, no capabilities, and only the environment variables the job is given.
 */
export interface SandboxOptions {
  /** Where per-job workspaces are created (e.g. `$SLIPWAY_HOME/builds`). */
  workRoot: string;
  /** Platform state & secrets: each is covered by an empty tmpfs inside the sandbox (e.g. `$SLIPWAY_HOME`). */
  hiddenPaths: string[];
  /** Platform env for the runner (AWS endpoints/creds, bucket names, npm_config_registry). */
  baseEnvironment: Record<string, string>;
  /** Default: `[process.execPath, <dist/buildrunner/main.js>]`. */
  command?: string[];
  /** Each stdout/stderr line of the job. */
  onLog?: (jobName: string, line: string) => void;
  keepWorkspaces?: boolean;
  /** The bwrap binary; default: `bwrap` found on PATH (normally `/usr/bin/bwrap`). */
  bwrapPath?: string;
}

/** `signal`: aborting it (the execution was stopped) kills the job's process group and rejects. */
export type BuildJobRunner = (request: BuildJobRequest, options?: { signal?: AbortSignal }) => Promise<{ jobId: string; status: 'SUCCEEDED' }>;

const FAILURE_LINE = /slipway: build failed: (.*)$/;
const STDERR_TAIL_LINES = 8;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * What the job must still read after `/tmp` is replaced by an empty tmpfs: the platform's code and
 * Node itself, either of which may live under /tmp (a checkout in a temp dir, for one).
 */
function runtimePaths(): string[] {
  return [...new Set([packageRoot(), dirname(dirname(real(process.execPath)))].map(real))];
}

/** `dist/buildrunner/main.js`, from either this file's compiled copy (dist/infra/local/batch) or its source. */
function defaultCommand(): string[] {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const candidates = [join(root, 'buildrunner', 'main.js'), join(root, 'dist', 'buildrunner', 'main.js')];
  const main = candidates.find((candidate) => existsSync(candidate)) ?? (candidates[1] as string);
  return [process.execPath, main];
}

function findBwrap(explicit: string | undefined): string | undefined {
  const candidates = explicit
    ? [explicit]
    : [...(process.env.PATH ?? DEFAULT_PATH).split(delimiter).filter(Boolean).map((dir) => join(dir, 'bwrap')), '/usr/bin/bwrap'];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

function missingBwrapError(path: string | undefined): Error {
  const error = new Error(
    `bubblewrap (bwrap) not found${path ? ` at ${path}` : ' on PATH'}: build jobs only run sandboxed; install the "bubblewrap" package (apt-get install bubblewrap)`,
  );
  error.name = 'Batch.SandboxUnavailable';
  return error;
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Resolves symlinks so the mount targets are the paths the kernel sees. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function safeName(jobName: string): string {
  return jobName.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100) || 'job';
}

/** Splits a stream into lines, calling `onLine` for each complete one (and the rest at the end). */
function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      rest += chunk.toString('utf8');
      let index: number;
      while ((index = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, index).replace(/\r$/, ''));
        rest = rest.slice(index + 1);
      }
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

export function createSandboxRunner(options: SandboxOptions): BuildJobRunner {
  return async (request, runOptions = {}) => {
    const stopSignal = runOptions.signal;
    if (stopSignal?.aborted) throw namedError('Batch.JobCancelled', `build job ${request.jobName} was cancelled before it started`);
    const bwrap = findBwrap(options.bwrapPath);
    if (!bwrap) throw missingBwrapError(options.bwrapPath);

    const jobName = request.jobName;
    const jobId = `local-${safeName(jobName)}-${randomBytes(6).toString('hex')}`;
    await mkdir(options.workRoot, { recursive: true });
    const workRoot = real(options.workRoot);
    const workspace = await mkdtemp(join(workRoot, `${safeName(jobName)}-`));
    const npmCache = join(workRoot, '.npm-cache');
    await mkdir(npmCache, { recursive: true });

    const environment: Record<string, string> = {
      ...request.environment,
      ...options.baseEnvironment,
      PATH: process.env.PATH ?? DEFAULT_PATH,
      HOME: workspace,
      SLIPWAY_WORKSPACE: workspace,
      npm_config_cache: npmCache,
    };

    // Hidden paths that exist, parents before children (a path that does not exist hides nothing).
    const hidden = [...new Set(options.hiddenPaths.filter((path) => existsSync(path)).map(real))].sort((a, b) => a.length - b.length);

    const args = [
      '--ro-bind', '/', '/',
      '--dev', '/dev',
      '--proc', '/proc',
      '--tmpfs', '/tmp',
      // Re-exposed read-only before the hidden paths are covered, so a state folder inside the
      // checkout (the default ./.slipway) stays hidden.
      ...runtimePaths().flatMap((path) => ['--ro-bind', path, path]),
      ...hidden.flatMap((path) => ['--tmpfs', path]),
      // Bound after the tmpfs mounts, so the workspace and the npm cache stay visible even when the
      // work root lies inside a hidden path (as `$SLIPWAY_HOME/builds` does).
      '--bind', workspace, workspace,
      '--bind', npmCache, npmCache,
      '--unshare-pid', '--unshare-ipc', '--unshare-uts',
      // The network namespace is deliberately shared: installs need the package registry, and the
      // runner reaches the local S3 server on loopback. (On AWS the Batch job has network access too.)
      '--cap-drop', 'ALL',
      '--die-with-parent',
      '--new-session',
      '--chdir', workspace,
      '--clearenv',
      ...Object.entries(environment).flatMap(([name, value]) => ['--setenv', name, value]),
      '--',
      ...(options.command ?? defaultCommand()),
    ];

    const cleanup = async (): Promise<void> => {
      if (!options.keepWorkspaces) await rm(workspace, { recursive: true, force: true }).catch(() => undefined);
    };

    try {
      await new Promise<void>((resolvePromise, rejectPromise) => {
        // bwrap itself gets an empty environment: the sandbox's PID 1 is a copy of bwrap whose
        // /proc/1/environ the job could read, so nothing of the platform's own env may be in it.
        const child = spawn(bwrap, args, { env: {}, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
        let failureReason: string | undefined;
        const stderrTail: string[] = [];
        let timedOut = false;
        let cancelled = false;
        let settled = false;
        const seeLine = (line: string, fromStderr: boolean): void => {
          const match = FAILURE_LINE.exec(line);
          if (match) failureReason = (match[1] as string).trim();
          if (fromStderr) {
            stderrTail.push(line);
            if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
          }
          options.onLog?.(jobName, line);
        };
        const stdout = lineSplitter((line) => seeLine(line, false));
        const stderr = lineSplitter((line) => seeLine(line, true));
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

        const killGroup = (): void => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        };
        const timer = setTimeout(() => {
          timedOut = true;
          killGroup();
        }, Math.max(1, request.timeoutSeconds) * 1000);
        // The execution was stopped (a cancelled deployment): the whole sandbox goes, as a terminated Batch job would.
        const onAbort = (): void => {
          cancelled = true;
          killGroup();
        };
        stopSignal?.addEventListener('abort', onAbort, { once: true });

        child.on('error', (error: NodeJS.ErrnoException) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          stopSignal?.removeEventListener('abort', onAbort);
          rejectPromise(error.code === 'ENOENT' ? missingBwrapError(bwrap) : error);
        });
        child.on('close', (code, signal) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          stopSignal?.removeEventListener('abort', onAbort);
          stdout.end();
          stderr.end();
          if (cancelled) {
            rejectPromise(namedError('Batch.JobCancelled', `build job ${jobName} was cancelled: its execution was stopped`));
          } else if (timedOut) {
            rejectPromise(namedError('States.Timeout', `build job ${jobName} timed out after ${request.timeoutSeconds} s`));
          } else if (code === 0) {
            resolvePromise();
          } else {
            const exit = code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
            const tail = stderrTail.filter((line) => line.trim()).join('\n');
            rejectPromise(
              namedError(
                'States.TaskFailed',
                failureReason !== undefined
                  ? `build failed: ${failureReason}`
                  : `build job ${jobName} ${exit}${tail ? `: ${tail}` : ''}`,
              ),
            );
          }
        });
      });
    } finally {
      await cleanup();
    }
    return { jobId, status: 'SUCCEEDED' };
  };
}
