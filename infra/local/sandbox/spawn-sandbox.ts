import { randomBytes } from 'node:crypto';
import { readFile, statfs } from 'node:fs/promises';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { bwrapArgs, type BwrapSpec, type Mount } from './bwrap-args.js';
import { stageMounts, STAGING_ROOT } from './staging.js';
import { SandboxCgroup } from './cgroup.js';
import { capMechanism } from './cap-mechanism.js';
import { findBinary, missingToolError } from './find-binary.js';
import type { CapName, SandboxLimits } from './limits.js';
import { attachUserNetwork, type UserNetwork } from './user-network.js';
import { SECRET_ENV_FD_VARIABLE } from '../../../handlers/lib/secret-env.js';

/** fd numbers inside the sandbox (stdio indexes of the spawn). */
const IPC_FD = 3;
const ENV_FD = 4;
const INFO_FD = 5;
const BLOCK_FD = 6;
const SIGXCPU_EXIT = 128 + 24;

export interface SandboxRequest {
  /** Names the sandbox's cgroup (unique per running sandbox). */
  name: string;
  uid: number;
  limits: SandboxLimits;
  spec: Omit<BwrapSpec, 'infoFd' | 'blockFd'>;
  /** Never in argv: handed over on an fd, read by the command at start (handlers/lib/secret-env.ts). */
  secretEnv?: Record<string, string>;
  /** A Node IPC channel to the command (`child.send`, `process.send`), as `fork` gives. */
  ipc?: boolean;
  /** How the IPC channel encodes messages: 'advanced' (structured clone) carries bytes as bytes. */
  ipcSerialization?: 'json' | 'advanced';
  bwrapPath?: string;
}

export interface RunningSandbox {
  child: ChildProcess;
  /** Settles once the command was released (network up, caps in place); rejects if setting up failed. */
  started: Promise<void>;
  /** Which cap stopped it, if one did (call after it exited). */
  trippedCap(code: number | null, signal: NodeJS.Signals | null): CapName | undefined;
  /**
   * The caps that refused or killed something since the last call, while it runs: a refused fork, an
   * OOM-killed child, a full /tmp do not always end the sandbox, but the log must still name them.
   */
  newlyTripped(): Promise<CapName[]>;
  /** Kills everything in the sandbox. */
  kill(): void;
  /** Frees the cgroup and the network (after exit; idempotent). */
  dispose(): Promise<void>;
}

/** Resolves once the sandbox's PID 1 (bwrap's init) has a child: the command runs, setup is over. */
async function commandStarted(pid: number, timeoutMs = 30_000): Promise<void> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 10))) {
    try {
      if ((await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim()) return;
    } catch {
      return; // gone: nothing is mounting any more
    }
  }
}

async function tmpIsFull(path: string): Promise<boolean> {
  try {
    const stats = await statfs(path);
    return stats.blocks > 0 && stats.bavail * stats.bsize < Math.max(1024 * 1024, stats.blocks * stats.bsize * 0.01);
  } catch {
    return false;
  }
}

/**
 * Without root the platform cannot give each sandbox its own uid, a network namespace slirp4netns
 * may attach to, cgroups or a size-capped workspace, and it does not run untrusted code with less.
 */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw notRootError();
}

function notRootError(): Error {
  const error = new Error(
    'the local sandbox for builds and functions needs the platform to run as root (per-sandbox uids, network namespace, cgroups)',
  );
  error.name = 'Sandbox.Unavailable';
  return error;
}

export function bwrapBinary(explicit?: string): string {
  const path = findBinary('bwrap', explicit);
  if (!path) throw missingToolError('bubblewrap (bwrap)', 'bubblewrap', explicit);
  return path;
}

/** Reads bwrap's `--info-fd` JSON (`{ "child-pid": N, ... }`). */
function readChildPid(stream: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match) {
        stream.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`the sandbox ended before reporting its pid${text ? `: ${text}` : ''}`)));
    stream.once('error', reject);
  });
}

/** The rlimits every sandbox gets; without cgroups they are the only caps (memory as data size). */
function prlimitArgs(limits: SandboxLimits, withCgroups: boolean): string[] {
  // SIGXCPU at the soft limit (its exit status names the cap); SIGKILL a few seconds later for a process that catches it.
  const args = [`--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 5}`, `--core=0`];
  // With cgroups the pids cgroup is the process cap (and names it when it trips); the rlimit,
  // counted per uid, is only a backstop above it.
  args.push(`--nproc=${withCgroups ? limits.processes + 64 : limits.processes}`);
  if (!withCgroups) {
    args.push(`--data=${limits.memoryMiB * 1024 * 1024}`);
    if (limits.workspaceMiB) args.push(`--fsize=${limits.workspaceMiB * 1024 * 1024}`);
  }
  return args;
}

export async function spawnSandbox(request: SandboxRequest): Promise<RunningSandbox> {
  const bwrap = bwrapBinary(request.bwrapPath);
  const prlimit = findBinary('prlimit');
  if (!prlimit) throw missingToolError('prlimit', 'util-linux');
  if (process.getuid?.() !== 0) throw notRootError();
  const { runtimePaths, mounts } = request.spec;
  const staging = await stageMounts([...runtimePaths, ...mounts].map((mount) => mount.source));
  const stagedSource = (index: number, mount: Mount): Mount => ({
    ...mount,
    source: staging.sources[index] as string,
    target: mount.target ?? mount.source,
  });
  const spec = {
    ...request.spec,
    // Other sandboxes' staged sources show in /proc/self/mountinfo while they start: hidden too.
    hiddenPaths: [...request.spec.hiddenPaths, STAGING_ROOT],
    runtimePaths: runtimePaths.map((mount, index) => stagedSource(index, mount)),
    mounts: mounts.map((mount, index) => stagedSource(runtimePaths.length + index, mount)),
  };
  let cgroup: SandboxCgroup | undefined;
  try {
    cgroup =
      capMechanism() === 'cgroup'
        ? SandboxCgroup.create(`slipway-${process.pid}-${request.name}-${randomBytes(4).toString('hex')}`, request.limits)
        : undefined;
  } catch (error) {
    await staging.release();
    throw error;
  }

  const env: Record<string, string> = { ...request.spec.env };
  if (request.secretEnv) env[SECRET_ENV_FD_VARIABLE] = String(ENV_FD);
  if (request.ipc) {
    env.NODE_CHANNEL_FD = String(IPC_FD);
    env.NODE_CHANNEL_SERIALIZATION_MODE = request.ipcSerialization ?? 'json';
  }
  const args = bwrapArgs({ ...spec, env, infoFd: INFO_FD, blockFd: BLOCK_FD, networkReady: true });
  const stdio: StdioOptions = [
    'ignore',
    'pipe',
    'pipe',
    request.ipc ? 'ipc' : 'ignore',
    request.secretEnv ? 'pipe' : 'ignore',
    'pipe',
    'pipe',
  ];
  // A fresh network namespace owned by the host's user namespace (so slirp4netns, run by the
  // platform, may attach to it), then the sandbox's own unprivileged uid for bwrap, which maps it to
  // itself in a user namespace: a root-owned file that happens to be visible, say a 0600 secret,
  // stays unreadable. Its environment is empty: the sandbox's PID 1 is a bwrap whose
  // /proc/1/environ the code could read.
  const unshare = findBinary('unshare');
  const setpriv = findBinary('setpriv');
  if (!unshare || !setpriv) throw missingToolError('unshare/setpriv', 'util-linux');
  const limited = [prlimit, ...prlimitArgs(request.limits, cgroup !== undefined), '--', bwrap, ...args];
  const command = [
    unshare,
    '--net',
    '--',
    setpriv,
    `--reuid=${request.uid}`,
    `--regid=${request.uid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--',
    ...limited,
  ];
  let child: ChildProcess;
  try {
    child = spawn(command[0] as string, command.slice(1), {
      env: {},
      cwd: '/',
      stdio,
      detached: true,
      serialization: request.ipcSerialization ?? 'json',
    });
  } catch (error) {
    await cgroup?.remove();
    await staging.release();
    throw error;
  }

  const stream = (fd: number): Readable & Writable => (child.stdio as unknown as Array<Readable & Writable>)[fd] as Readable & Writable;
  // The sandbox may close its ends at any time; that is not the platform's error.
  for (const fd of [ENV_FD, INFO_FD, BLOCK_FD]) stream(fd)?.on('error', () => undefined);
  let network: UserNetwork | undefined;
  let disposed = false;
  const kill = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    // The sandbox's own session (--new-session) is not the process group above.
    cgroup?.killAll();
  };
  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    network?.stop();
    await cgroup?.remove();
    await staging.release();
  };

  const seen = { kills: 0, refusals: 0, tmpFull: false };
  let sandboxPid: number | undefined;
  const started = (async () => {
    const pid = await readChildPid(stream(INFO_FD));
    sandboxPid = pid;
    cgroup?.add(pid);
    // The namespace unshare made, held by the outer process (unshare, now bwrap).
    const attach = async (): Promise<void> => {
      if (request.spec.network === 'private') network = await attachUserNetwork(child.pid as number);
    };
    if (request.secretEnv) {
      // The command reads its environment before it runs anything of the app's (the runner's and
      // the worker's first step): released at once, Node starts while the network comes up, and
      // the environment, written once the network is up, is what it waits for.
      stream(BLOCK_FD).end('go');
      await attach();
      stream(ENV_FD).end(JSON.stringify(request.secretEnv));
    } else {
      await attach();
      stream(BLOCK_FD).end('go');
    }
    // bwrap makes its mounts before it waits on the block fd; once its PID 1 has started the command,
    // the staged sources have done their job.
    void commandStarted(pid).then(() => staging.release());
  })();
  started.catch(() => kill());
  child.once('exit', () => void staging.release());
  child.once('exit', () => network?.stop());

  return {
    child,
    started,
    kill,
    dispose,
    async newlyTripped() {
      const tripped: CapName[] = [];
      const kills = cgroup?.memoryKills() ?? 0;
      const refusals = cgroup?.processRefusals() ?? 0;
      if (kills > seen.kills) tripped.push('memory');
      if (refusals > seen.refusals) tripped.push('processes');
      seen.kills = kills;
      seen.refusals = refusals;
      // The sandbox's /tmp, seen through its PID 1's root (the platform is root; rootless, this fails quietly).
      const full = sandboxPid !== undefined && (await tmpIsFull(`/proc/${sandboxPid}/root/tmp`));
      if (full && !seen.tmpFull) tripped.push('disk');
      seen.tmpFull = full;
      return tripped;
    },
    trippedCap(code, signal) {
      if ((cgroup?.memoryKills() ?? 0) > 0) return 'memory';
      if ((cgroup?.processRefusals() ?? 0) > 0) return 'processes';
      if (code === SIGXCPU_EXIT || signal === 'SIGXCPU') return 'cpu time';
      return undefined;
    },
  };
}
