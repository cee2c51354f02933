import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processAlive } from '../process-alive.js';

/**
 * Removes the spare folders (`<pid>-<id>`, hard links only) of function hosts whose process is
 * gone: a platform killed without closing leaves its own behind.
 */
export async function removeStaleSpareFolders(sparesParent: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(sparesParent);
  } catch {
    return; // none yet
  }
  await Promise.all(
    entries
      .filter((name) => {
        const pid = Number(/^(\d+)-/.exec(name)?.[1]);
        return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
      })
      .map((name) => rm(join(sparesParent, name), { recursive: true, force: true })),
  );
}
