import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxLimits } from './limits.js';

/**
 * Per-sandbox cgroups (v1 hierarchies: memory, pids, cpu), created under the platform's own cgroup
 * so the machine's limits on the platform still bound them all.
 */
const ROOT = '/sys/fs/cgroup';
const CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
type Controller = (typeof CONTROLLERS)[number];

/** Where this process sits in each v1 hierarchy, from /proc/self/cgroup (`4:memory:/a/b`). */
function ownPaths(): Map<Controller, string> {
  const paths = new Map<Controller, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, list, path] = line.split(':');
    if (!list || path === undefined) continue;
    for (const name of list.split(',')) {
      if ((CONTROLLERS as readonly string[]).includes(name)) paths.set(name as Controller, path);
    }
  }
  return paths;
}

function hierarchyDir(controller: Controller, path: string): string {
  // cpu is often co-mounted as "cpu,cpuacct".
  const mounted = [join(ROOT, controller), join(ROOT, 'cpu,cpuacct')].find((dir) => existsSync(join(dir, 'cgroup.procs')));
  return join(mounted ?? join(ROOT, controller), path);
}

export class SandboxCgroup {
  private constructor(private readonly dirs: Map<Controller, string>) {}

  /** Creates the cgroups and writes the limits; throws when the machine does not allow it. */
  static create(name: string, limits: SandboxLimits): SandboxCgroup {
    const own = ownPaths();
    const dirs = new Map<Controller, string>();
    const group = new SandboxCgroup(dirs);
    try {
      for (const controller of CONTROLLERS) {
        const parent = own.get(controller);
        if (parent === undefined) throw new Error(`no v1 ${controller} cgroup hierarchy`);
        const dir = join(hierarchyDir(controller, parent), name);
        mkdirSync(dir);
        dirs.set(controller, dir);
      }
      const memoryBytes = String(limits.memoryMiB * 1024 * 1024);
      group.write('memory', 'memory.limit_in_bytes', memoryBytes);
      // Without swap accounting this file is absent; with it, swap must not extend the cap.
      if (existsSync(join(dirs.get('memory') as string, 'memory.memsw.limit_in_bytes')))
        group.write('memory', 'memory.memsw.limit_in_bytes', memoryBytes);
      group.write('pids', 'pids.max', String(limits.processes));
      group.write('cpu', 'cpu.cfs_period_us', '100000');
      group.write('cpu', 'cpu.cfs_quota_us', String(Math.max(1000, Math.round(limits.cpuCores * 100000))));
    } catch (error) {
      void group.remove();
      throw error;
    }
    return group;
  }

  private write(controller: Controller, file: string, value: string): void {
    writeFileSync(join(this.dirs.get(controller) as string, file), value);
  }

  private read(controller: Controller, file: string): string {
    try {
      return readFileSync(join(this.dirs.get(controller) as string, file), 'utf8');
    } catch {
      return '';
    }
  }

  /** Moves a process (and all it starts from then on) into the sandbox's cgroups. */
  add(pid: number): void {
    for (const controller of CONTROLLERS) this.write(controller, 'cgroup.procs', String(pid));
  }

  /** How many times the memory cap killed a process. */
  memoryKills(): number {
    const match = /^oom_kill (\d+)$/m.exec(this.read('memory', 'memory.oom_control'));
    return match ? Number(match[1]) : 0;
  }

  /** How many forks or threads the process cap refused. */
  processRefusals(): number {
    const match = /^max (\d+)$/m.exec(this.read('pids', 'pids.events'));
    return match ? Number(match[1]) : 0;
  }

  /** Kills every process inside (the sandbox's own session is not a process group the platform can signal). */
  killAll(): void {
    for (const dir of this.dirs.values()) {
      let pids: string[] = [];
      try {
        pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
      } catch {
        continue;
      }
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  /** Kills whatever is left inside and removes the cgroups, retrying while the dying processes leave. */
  async remove(): Promise<void> {
    for (let attempt = 0; attempt < 100 && this.dirs.size > 0; attempt++) {
      this.killAll();
      for (const [controller, dir] of [...this.dirs]) {
        try {
          rmdirSync(dir);
          this.dirs.delete(controller);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EBUSY') this.dirs.delete(controller);
        }
      }
      if (this.dirs.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Whether this machine lets the platform create child cgroups and write their limits (checked once). */
let probed: boolean | undefined;
export function cgroupsAvailable(): boolean {
  if (probed !== undefined) return probed;
  try {
    void SandboxCgroup.create(`slipway-probe-${process.pid}`, {
      memoryMiB: 64,
      processes: 16,
      cpuSeconds: 1,
      cpuCores: 1,
      tmpMiB: 1,
    }).remove();
    probed = true;
  } catch {
    probed = false;
  }
  return probed;
}
