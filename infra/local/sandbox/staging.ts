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
      // One umount for all (it goes on past a path that is not mounted).
      if (staged.length > 0) await run('umount', ['-l', ...staged]).catch(() => undefined);
      for (const path of staged) {
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
    const pairs: string[] = [];
    for (const [index, source] of sources.entries()) {
      const target = join(dir, String(index));
      mkdirSync(target, { mode: 0o711 });
      staged.push(target);
      pairs.push(source, target);
    }
    // Every bind mount from one shell: a process spawned from the platform's (a large heap to fork)
    // costs its main thread more than the mount itself, and a sandbox starts with several.
    if (pairs.length > 0) await run('sh', ['-ec', 'while [ "$#" -gt 0 ]; do mount --bind "$1" "$2"; shift 2; done', 'sh', ...pairs]);
  } catch (error) {
    await release();
    throw error;
  }
  return { sources: [...staged], release };
}
