import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Where the platform (root) exposes a sandbox's mount sources to bwrap. bwrap runs as the sandbox's
 * unprivileged uid and resolves each source itself, so a source inside a folder only root may enter
 * (the 0700 state directory, a checkout in root's home folder) is bind-mounted first under this root-owned,
 * traversable (0711, not listable) folder. Only bwrap's setup sees these paths: inside the sandbox
 * the mounts appear at their targets, and the staging mounts go as soon as the sandbox is up.
 */
export const STAGING_ROOT = '/run/slipway-sandbox';

export interface StagedMounts {
  /** The path bwrap binds from, per source (same order). */
  sources: string[];
  release(): Promise<void>;
}

export async function stageMounts(sources: string[]): Promise<StagedMounts> {
  mkdirSync(STAGING_ROOT, { recursive: true, mode: 0o711 });
  const dir = join(STAGING_ROOT, `${process.pid}-${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { mode: 0o711 });
  const staged: string[] = [];
  let releasing: Promise<void> | undefined;
  // Once only, and never a recursive delete: a mount point still in place would lead it into the
  // source (the platform's code, /usr, a workspace). A folder that cannot go is left to reapStaleSandboxes.
  const release = (): Promise<void> =>
    (releasing ??= (async () => {
      for (const path of staged) {
        await run('umount', ['-l', path]).catch(() => undefined);
        try {
          rmdirSync(path);
        } catch {
          // still mounted, or gone
        }
      }
      try {
        rmdirSync(dir);
      } catch {
        // not empty: a mount did not go
      }
    })());
  try {
    // One `mount` each, all at once: one after another they were most of a sandbox's set-up time.
    const targets = sources.map((_, index) => join(dir, String(index)));
    for (const target of targets) {
      mkdirSync(target, { mode: 0o711 });
      staged.push(target);
    }
    const mounted = await Promise.allSettled(sources.map((source, index) => run('mount', ['--bind', source, targets[index] as string])));
    const failed = mounted.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await release();
    throw error;
  }
  return { sources: [...staged], release };
}
