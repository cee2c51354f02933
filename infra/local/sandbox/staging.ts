import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Where the platform (root) exposes a sandbox's mount sources to bwrap. bwrap runs as the sandbox's
 * unprivileged uid and resolves each source itself, so a source inside a folder only root may enter
 * (the 0700 state directory, a checkout under /root) is bind-mounted first under this root-owned,
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
  const release = async (): Promise<void> => {
    for (const path of staged.splice(0)) await run('umount', ['-l', path]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [index, source] of sources.entries()) {
      const target = join(dir, String(index));
      mkdirSync(target, { mode: 0o711 });
      await run('mount', ['--bind', source, target]);
      staged.push(target);
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { sources: [...staged], release };
}
