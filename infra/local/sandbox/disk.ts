import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { chmod, mkdir, open, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { findBinary } from './find-binary.js';

const run = promisify(execFile);

/**
 * A workspace of a fixed size: an ext4 file system in a sparse image file, loop-mounted. Disk-backed
 * (unlike a tmpfs, it does not eat memory) and full at its size whatever writes to it.
 */
export interface SizedWorkspace {
  path: string;
  /** True when the file system is (nearly) full: the disk cap is what stopped the job. */
  isFull(): Promise<boolean>;
  remove(): Promise<void>;
}

/** Whether this machine can loop-mount an image (root, loop devices, mkfs.ext4): checked once. */
let probe: Promise<boolean> | undefined;
export function sizedWorkspacesAvailable(scratch: string): Promise<boolean> {
  probe ??= (async () => {
    if (process.getuid?.() !== 0 || !findBinary('mkfs.ext4') || !findBinary('mount')) return false;
    try {
      const workspace = await createSizedWorkspace(`${scratch}/.probe-${process.pid}`, 16, 0);
      await workspace.remove();
      return true;
    } catch {
      return false;
    }
  })();
  return probe;
}

export async function createSizedWorkspace(path: string, sizeMiB: number, ownerUid: number): Promise<SizedWorkspace> {
  const image = `${path}.img`;
  await mkdir(path, { recursive: true });
  const handle = await open(image, 'w', 0o600);
  await handle.truncate(sizeMiB * 1024 * 1024);
  await handle.close();
  let mounted = false;
  const remove = async (): Promise<void> => {
    if (mounted) {
      // Lazy: a process that outlived the job (it is being killed) must not keep the mount.
      const unmounted = await run('umount', ['-l', path]).then(
        () => true,
        () => false,
      );
      if (!unmounted) return; // left for the operator rather than deleted through a live mount
      mounted = false;
    }
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    await rm(image, { force: true }).catch(() => undefined);
  };
  try {
    // No reserved blocks, no lazy init threads outliving the job; owned by the sandbox's uid. No
    // journal: the file system lives for one job and is thrown away after a crash, and writing the
    // journal's zeros cost more than making the rest of the file system.
    await run('mkfs.ext4', [
      '-q',
      '-F',
      '-m',
      '0',
      '-O',
      '^has_journal',
      '-E',
      `lazy_itable_init=0,lazy_journal_init=0,root_owner=${ownerUid}:${ownerUid}`,
      image,
    ]);
    await run('mount', ['-o', 'loop,nosuid,nodev', image, path]);
    mounted = true;
    await rm(`${path}/lost+found`, { recursive: true, force: true });
    await chmod(path, 0o700);
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    path,
    async isFull() {
      try {
        const stats = await statfs(path);
        return stats.bavail * stats.bsize < Math.max(4 * 1024 * 1024, sizeMiB * 1024 * 1024 * 0.01);
      } catch {
        return false;
      }
    },
    remove,
  };
}
