import { link, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Recreates the folder tree `from` under `to` (which exists) with hard links to its files: a
 * worker's own folder receives its deployment's files at no copying cost. Both lie on the state
 * directory's file system; anything but folders and regular files (there are none in a copied
 * server bundle) is left out.
 */
export async function linkTree(from: string, to: string): Promise<void> {
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const source = join(from, entry.name);
      const target = join(to, entry.name);
      if (entry.isDirectory()) {
        await mkdir(target);
        await linkTree(source, target);
      } else if (entry.isFile()) {
        await link(source, target);
      }
    }),
  );
}
