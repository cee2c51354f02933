/**
 * bubblewrap's argument list for one sandbox. Holds no secret: it is the sandbox's /proc/1/cmdline
 * and shows in the host's `ps` (secrets go through secret-env's fd).
 */
export interface Mount {
  /** A directory of the host. */
  source: string;
  target?: string;
  writable?: boolean;
}

export interface BwrapSpec {
  /** Re-exposed read-only before the hidden paths are covered (the platform's code, Node itself). */
  runtimePaths: Mount[];
  /** Covered by empty tmpfs mounts, parents before children (the platform's state and secrets). */
  hiddenPaths: string[];
  /** Bound after the hidden paths are covered, so they stay visible even inside one. */
  mounts: Mount[];
  tmpMiB: number;
  network: 'none' | 'private';
  /** The caller already put the sandbox in a fresh network namespace (unshare, as root). */
  networkReady?: boolean;
  cwd: string;
  /** Variables the sandboxed code may see in its argv-visible environment (nothing secret). */
  env: Record<string, string>;
  /** fds bwrap uses to report the sandbox's pid and to wait before starting the command. */
  infoFd: number;
  blockFd: number;
  command: string[];
}

export function bwrapArgs(spec: BwrapSpec): string[] {
  return [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(spec.networkReady ? [] : ['--unshare-net']),
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--size',
    String(spec.tmpMiB * 1024 * 1024),
    '--tmpfs',
    '/tmp',
    ...spec.runtimePaths.flatMap((mount) => ['--ro-bind', mount.source, mount.target ?? mount.source]),
    ...spec.hiddenPaths.flatMap((path) => ['--tmpfs', path]),
    ...spec.mounts.flatMap((mount) => [mount.writable ? '--bind' : '--ro-bind', mount.source, mount.target ?? mount.source]),
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--info-fd',
    String(spec.infoFd),
    '--block-fd',
    String(spec.blockFd),
    '--chdir',
    spec.cwd,
    '--clearenv',
    ...Object.entries(spec.env).flatMap(([name, value]) => ['--setenv', name, value]),
    '--',
    ...spec.command,
  ];
}
