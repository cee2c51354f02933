import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../package-root.js';
import { lineSplitter } from '../line-splitter.js';
import type { BuildJobRequest } from '../engine/task-bindings.js';
import { createSizedWorkspace, sizedWorkspacesAvailable } from '../sandbox/disk.js';
import { bwrapBinary, requireRoot, spawnSandbox, type RunningSandbox } from '../sandbox/spawn-sandbox.js';
import { capMechanism } from '../sandbox/cap-mechanism.js';
import { capFromOutput, capLine, DEFAULT_BUILD_LIMITS, type CapName, type SandboxLimits } from '../sandbox/limits.js';
import { startS3SocketBridge, type S3SocketBridge } from '../sandbox/s3-socket-bridge.js';
import { UidPool } from '../sandbox/uid-pool.js';
import { machineTrustEnvironment } from '../sandbox/trust-env.js';
import { BUILD_PATH, sandboxPath } from '../sandbox/sandbox-path.js';
import { freshRunnerBundle } from './bundle-runner.js';

/**
 * The local stand-in for an AWS Batch job: the build runner in a bubblewrap sandbox.
 *
 * On AWS a build runs in a fresh Batch container that sees nothing of the platform but the
 * environment its job definition hands it. Locally the same runner runs in a sandbox (see
 * ../sandbox/) that gives it the same view: a read-only host file system, the platform's state and
 * secrets hidden under empty tmpfs mounts, a fresh size-capped workspace, its own uid and
 * PID/IPC/UTS/network namespaces (the network a user-mode stack that cannot reach the host's
 * loopback; S3 through a Unix socket), no capabilities, caps on memory, processes, CPU and disk, and
 * only the environment the job is given, handed over on a file descriptor rather than in argv.
 */
export interface SandboxOptions {
  /** Where per-job workspaces are created (e.g. `$SLIPWAY_HOME/builds`). */
  workRoot: string;
  /** Platform state & secrets: each is covered by an empty tmpfs inside the sandbox (e.g. `$SLIPWAY_HOME`). */
  hiddenPaths: string[];
  /** Platform env for the runner (AWS creds, bucket names, npm_config_registry); handed over on an fd. */
  baseEnvironment: Record<string, string>;
  /** The local S3 endpoint: bridged into the sandbox as a Unix socket (SLIPWAY_S3_SOCKET). */
  s3Endpoint?: string;
  /** Default: `[process.execPath, <dist/buildrunner/main.js>]`. */
  command?: string[];
  /** Each stdout/stderr line of the job. */
  onLog?: (jobName: string, line: string) => void;
  /** Adds a line to the build's own log (the one users read), e.g. the cap that stopped it. */
  appendBuildLog?: (buildId: string, line: string) => Promise<void>;
  keepWorkspaces?: boolean;
  /** The bwrap binary; default: `bwrap` found on PATH (normally `/usr/bin/bwrap`). */
  bwrapPath?: string;
  /** Caps of each build (default DEFAULT_BUILD_LIMITS). */
  limits?: Partial<SandboxLimits>;
  /** Builds running at once; the rest wait their turn (default: the machine's cores; the first runner of a process sets it). */
  concurrency?: number;
  /** First uid of the builds' uid pool (default 1100000). */
  firstUid?: number;
}

/** `signal`: aborting it (the execution was stopped) kills the job's process group and rejects. */
export type BuildJobRunner = (
  request: BuildJobRequest,
  options?: { signal?: AbortSignal },
) => Promise<{ jobId: string; status: 'SUCCEEDED' }>;

const FAILURE_LINE = /slipway: build failed: (.*)$/;
const STDERR_TAIL_LINES = 8;
const DEFAULT_FIRST_UID = 1_100_000;
/** Where the S3 socket's folder appears inside the sandbox. */
const S3_SOCKET_NAME = 's3.sock';

/**
 * What the job must still read after `/tmp` is replaced by an empty tmpfs: the platform's code and
 * Node itself, either of which may live under /tmp (a checkout in a temp dir, for one).
 */
function runtimePaths(): string[] {
  return [...new Set([packageRoot(), dirname(dirname(real(process.execPath)))].map(real))];
}

/**
 * `dist/buildrunner/main.js`, from either this file's compiled copy (dist/infra/local/batch) or its
 * source; its one-file bundle instead when that is fresh (bundle-runner.ts).
 */
function defaultCommand(): string[] {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const candidates = [join(root, 'buildrunner', 'main.js'), join(root, 'dist', 'buildrunner', 'main.js')];
  const main = candidates.find((candidate) => existsSync(candidate)) ?? (candidates[1] as string);
  return [process.execPath, freshRunnerBundle(main) ?? main];
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

/** A runner of build jobs, and a way to wait until the jobs that ended are torn down. */
export interface SandboxRunner extends BuildJobRunner {
  /** Resolves once every job that has ended, or been stopped, has its workspace, network and cgroup removed. */
  cleanedUp(): Promise<void>;
}

export function createSandboxRunner(options: SandboxOptions): SandboxRunner {
  const limits: SandboxLimits = { ...DEFAULT_BUILD_LIMITS, ...options.limits };
  // Process-wide (see UidPool.shared): also the queue of builds, one per core by default.
  const uids = UidPool.shared(options.firstUid ?? DEFAULT_FIRST_UID, Math.max(1, options.concurrency ?? availableParallelism()));
  const teardowns = new Set<Promise<void>>();

  const run: BuildJobRunner = async (request, runOptions = {}) => {
    const stopSignal = runOptions.signal;
    if (stopSignal?.aborted) throw namedError('Batch.JobCancelled', `build job ${request.jobName} was cancelled before it started`);
    bwrapBinary(options.bwrapPath);
    requireRoot();

    // A stopped job counts as ended from the moment it is stopped (its execution is over, and the
    // engine forgets it): a platform closing right after a cancel then waits in cleanedUp for the
    // sandbox's kill and teardown instead of exiting with the workspace still mounted.
    let jobTeardown: Promise<void> = Promise.resolve();
    let markTornDown!: () => void;
    const tornDown = new Promise<void>((resolvePromise) => (markTornDown = resolvePromise));
    const onStop = (): void => void teardowns.add(tornDown);
    stopSignal?.addEventListener('abort', onStop, { once: true });
    try {
      // The queue: a build waits here for a uid (one per concurrent build) before anything is set up.
      const lease = await uids.acquire();
      const cleanups: Array<() => Promise<void> | void> = [lease.release];
      try {
        if (stopSignal?.aborted) throw namedError('Batch.JobCancelled', `build job ${request.jobName} was cancelled before it started`);
        return await runJob(request, lease.uid, lease.slot, cleanups, stopSignal);
      } finally {
        // The job's outcome does not wait for its teardown, as a Batch job is done once its container
        // exits: unmounting and deleting the workspace took a few hundred ms of every deploy. The uid
        // is released last, so the next build on it starts after this one is gone.
        const teardown = (async () => {
          for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
        })();
        teardowns.add(teardown);
        void teardown.finally(() => teardowns.delete(teardown));
        jobTeardown = teardown;
      }
    } finally {
      stopSignal?.removeEventListener('abort', onStop);
      void jobTeardown.finally(() => {
        markTornDown();
        teardowns.delete(tornDown);
      });
    }
  };
  const cleanedUp = async (): Promise<void> => {
    while (teardowns.size > 0) await Promise.all(teardowns);
  };
  return Object.assign(run, { cleanedUp });

  async function runJob(
    request: BuildJobRequest,
    uid: number,
    slot: number,
    cleanups: Array<() => Promise<void> | void>,
    stopSignal: AbortSignal | undefined,
  ): Promise<{ jobId: string; status: 'SUCCEEDED' }> {
    const jobName = request.jobName;
    const jobId = `local-${safeName(jobName)}-${randomBytes(6).toString('hex')}`;
    await mkdir(options.workRoot, { recursive: true });
    const workRoot = real(options.workRoot);
    const workspace = await mkdtemp(join(workRoot, `${safeName(jobName)}-`));
    const sized =
      // A kept workspace (for debugging) stays a plain folder: a loop mount cannot outlive the job.
      limits.workspaceMiB !== undefined && !options.keepWorkspaces && (await sizedWorkspacesAvailable(workRoot))
        ? await createSizedWorkspace(workspace, limits.workspaceMiB, uid)
        : undefined;
    if (!sized) await chown(workspace, uid, uid);
    cleanups.push(async () => {
      if (options.keepWorkspaces) return;
      if (sized) await sized.remove();
      else await rm(workspace, { recursive: true, force: true });
    });
    // One package cache per uid slot: a cache another uid wrote is not writable by this one.
    const npmCache = join(workRoot, '.npm-cache', String(slot));
    await mkdir(npmCache, { recursive: true });
    if ((await stat(npmCache)).uid !== uid) await chownTree(npmCache, uid);

    let bridge: S3SocketBridge | undefined;
    let socketDir: string | undefined;
    if (options.s3Endpoint) {
      socketDir = `${workspace}.s3`;
      await mkdir(socketDir, { recursive: true, mode: 0o755 });
      bridge = await startS3SocketBridge(join(socketDir, S3_SOCKET_NAME), options.s3Endpoint);
      const dir = socketDir;
      cleanups.push(async () => {
        await bridge?.close();
        await rm(dir, { recursive: true, force: true });
      });
    }

    const visibleEnvironment: Record<string, string> = {
      PATH: sandboxPath(BUILD_PATH),
      HOME: workspace,
      SLIPWAY_WORKSPACE: workspace,
      npm_config_cache: npmCache,
      ...machineTrustEnvironment(),
      ...(socketDir ? { SLIPWAY_S3_SOCKET: join(socketDir, S3_SOCKET_NAME) } : {}),
      // Not secret, and what an operator looks for in `ps` to find a build's sandbox.
      ...(request.environment.SLIPWAY_BUILD_ID ? { SLIPWAY_BUILD_ID: request.environment.SLIPWAY_BUILD_ID } : {}),
    };
    // Everything the job was given (the ticket, credentials) goes over the fd, never into argv.
    const secretEnvironment: Record<string, string> = { ...request.environment, ...options.baseEnvironment };
    for (const name of Object.keys(visibleEnvironment)) delete secretEnvironment[name];

    // Hidden paths that exist, parents before children (a path that does not exist hides nothing).
    const hidden = [...new Set(options.hiddenPaths.filter((path) => existsSync(path)).map(real))].sort((a, b) => a.length - b.length);

    const sandbox = await spawnSandbox({
      name: safeName(jobName).slice(0, 40),
      uid,
      limits,
      bwrapPath: options.bwrapPath,
      secretEnv: secretEnvironment,
      spec: {
        runtimePaths: runtimePaths().map((source) => ({ source })),
        hiddenPaths: hidden,
        // Bound after the tmpfs mounts, so the workspace and the npm cache stay visible even when the
        // work root lies inside a hidden path (as `$SLIPWAY_HOME/builds` does).
        mounts: [
          { source: workspace, writable: true },
          { source: npmCache, writable: true },
          ...(socketDir ? [{ source: socketDir }] : []),
        ],
        tmpMiB: limits.tmpMiB,
        network: 'private',
        cwd: workspace,
        env: visibleEnvironment,
        command: options.command ?? defaultCommand(),
      },
    });
    cleanups.push(() => sandbox.dispose());

    await watchJob(sandbox, request, jobName, stopSignal, async (code, signal, lines) => {
      const cap: CapName | undefined =
        sandbox.trippedCap(code, signal) ??
        ((await sized?.isFull()) ? 'disk' : undefined) ??
        (capMechanism() === 'rlimit' ? capFromOutput(lines) : lines.some((line) => line.includes('SIGXCPU')) ? 'cpu time' : undefined);
      return cap ? capLine('build', cap, limits, 'the build was stopped') : undefined;
    });
    return { jobId, status: 'SUCCEEDED' };
  }

  function watchJob(
    sandbox: RunningSandbox,
    request: BuildJobRequest,
    jobName: string,
    stopSignal: AbortSignal | undefined,
    explainFailure: (code: number | null, signal: NodeJS.Signals | null, lines: string[]) => Promise<string | undefined>,
  ): Promise<void> {
    const child = sandbox.child;
    return new Promise<void>((resolvePromise, rejectPromise) => {
      let failureReason: string | undefined;
      const stderrTail: string[] = [];
      const recent: string[] = [];
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
        recent.push(line);
        if (recent.length > 200) recent.shift();
        options.onLog?.(jobName, line);
      };
      const stdout = lineSplitter((line) => seeLine(line, false));
      const stderr = lineSplitter((line) => seeLine(line, true));
      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

      const timer = setTimeout(() => {
        timedOut = true;
        sandbox.kill();
      }, Math.max(1, request.timeoutSeconds) * 1000);
      // The execution was stopped (a cancelled deployment): the whole sandbox goes, as a terminated Batch job would.
      const onAbort = (): void => {
        cancelled = true;
        sandbox.kill();
      };
      stopSignal?.addEventListener('abort', onAbort, { once: true });
      // Stopped while the workspace and sandbox were being set up: the listener came too late to hear it.
      if (stopSignal?.aborted) onAbort();
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        stopSignal?.removeEventListener('abort', onAbort);
        return true;
      };
      sandbox.started.catch((error: Error) => {
        // Stopped or timed out while starting: the kill made the start fail; 'close' says which.
        if (cancelled || timedOut) return;
        if (settle()) rejectPromise(namedError('Batch.SandboxFailed', `build job ${jobName} could not be sandboxed: ${error.message}`));
      });

      child.on('error', (error: NodeJS.ErrnoException) => {
        if (settle()) rejectPromise(error);
      });
      child.on('close', (code, signal) => {
        if (settled) return;
        stdout.end();
        stderr.end();
        void (async () => {
          const capReason = code === 0 || cancelled || timedOut ? undefined : await explainFailure(code, signal, recent);
          if (!settle()) return;
          if (cancelled) {
            rejectPromise(namedError('Batch.JobCancelled', `build job ${jobName} was cancelled: its execution was stopped`));
          } else if (timedOut) {
            rejectPromise(namedError('States.Timeout', `build job ${jobName} timed out after ${request.timeoutSeconds} s`));
          } else if (code === 0) {
            resolvePromise();
          } else if (capReason) {
            options.onLog?.(jobName, capReason);
            const buildId = request.environment.SLIPWAY_BUILD_ID;
            if (buildId && options.appendBuildLog) await options.appendBuildLog(buildId, capReason).catch(() => undefined);
            rejectPromise(namedError('States.TaskFailed', `build failed: ${capReason.replace(/^slipway: /, '')}`));
          } else {
            const exit = code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
            const tail = stderrTail.filter((line) => line.trim()).join('\n');
            rejectPromise(
              namedError(
                'States.TaskFailed',
                failureReason !== undefined ? `build failed: ${failureReason}` : `build job ${jobName} ${exit}${tail ? `: ${tail}` : ''}`,
              ),
            );
          }
        })();
      });
    });
  }
}

async function chownTree(path: string, uid: number): Promise<void> {
  const { readdir, lchown } = await import('node:fs/promises');
  await lchown(path, uid, uid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid);
    else await lchown(child, uid, uid);
  }
}
