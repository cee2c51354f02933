import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmdirSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import { STAGING_ROOT } from './staging.js';
import { processAlive } from '../process-alive.js';

/**
 * What a platform that died without closing (SIGKILL, a power cut) left behind: sandboxes still
 * running in their cgroups, and staging mounts. Named after the dead platform's pid, they are killed
 * and removed when the next platform starts.
 */
const OWNED = /^slipway-(\d+)-/;

function ownCgroupDirs(): string[] {
  const dirs: string[] = [];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, list, path] = line.split(':');
    if (!list || path === undefined) continue;
    for (const name of list.split(',')) {
      if (name === 'memory' || name === 'pids' || name === 'cpu') {
        const mounted = [join('/sys/fs/cgroup', name), '/sys/fs/cgroup/cpu,cpuacct'].find((dir) => existsSync(join(dir, 'cgroup.procs')));
        if (mounted) dirs.push(join(mounted, path));
      }
    }
  }
  return dirs;
}

export function reapStaleSandboxes(): void {
  for (const parent of ownCgroupDirs()) {
    let entries: string[];
    try {
      entries = readdirSync(parent);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const owner = OWNED.exec(entry);
      if (!owner || processAlive(Number(owner[1]))) continue;
      const dir = join(parent, entry);
      try {
        for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
        rmdirSync(dir);
      } catch {
        // busy a moment longer: the next start tries again
      }
    }
  }
  if (!existsSync(STAGING_ROOT)) return;
  for (const entry of readdirSync(STAGING_ROOT)) {
    const owner = /^(\d+)-/.exec(entry);
    if (!owner || processAlive(Number(owner[1]))) continue;
    const dir = join(STAGING_ROOT, entry);
    // Never a recursive delete here: through a mount still in place it would reach the source.
    try {
      for (const mount of readdirSync(dir)) {
        try {
          execFileSync('umount', ['-l', join(dir, mount)], { stdio: 'ignore' });
        } catch {
          // not mounted
        }
        rmdirSync(join(dir, mount));
      }
      rmdirSync(dir);
    } catch {
      // something is still mounted there: the next start tries again
    }
  }
}

/** Mount points at or below `dir`, from this process's mount table (octal escapes as the kernel writes them). */
function mountPointsUnder(dir: string): string[] {
  const decodeOctal = (path: string) => path.replace(/\\([0-7]{3})/g, (_, code: string) => String.fromCharCode(Number.parseInt(code, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => decodeOctal(line.split(' ')[4] ?? ''))
    .filter((point) => point.startsWith(`${dir}${sep}`));
}

/**
 * Build workspaces a platform that died left mounted under `workRoot` (a job's teardown runs after
 * its step has ended, so a crash in a later state can cut it short too): each is unmounted, then
 * removed with its image and its S3 socket folder. Run at start, before any build of this platform.
 * Only what is still mounted is taken: a workspace kept for debugging is a plain folder.
 */
export function reapStaleWorkspaces(workRoot: string): void {
  if (!existsSync(workRoot)) return;
  // The runner mounts under the resolved path, which is what the mount table shows.
  const root = realpathSync(workRoot);
  for (const point of mountPointsUnder(root)) {
    try {
      execFileSync('umount', ['-l', point], { stdio: 'ignore' });
    } catch {
      continue; // not unmounted: never delete through a live mount
    }
    if (mountPointsUnder(root).includes(point)) continue;
    rmSync(point, { recursive: true, force: true });
    rmSync(`${point}.img`, { force: true });
    rmSync(`${point}.s3`, { recursive: true, force: true });
  }
}
