import { zipSync, type Zippable } from 'fflate';

/** Unix regular file, rw-r--r-- (what Lambda needs to read the code), in the external attributes. */
const FILE_ATTRS = (0o100644 << 16) >>> 0;
/** A fixed timestamp: the same files always give the same archive (and the same CodeSha256). */
const MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * A deflated zip of `files` (path inside the archive → content), entries in path order, Unix
 * permissions 0644 and fixed timestamps.
 */
export function zipFiles(files: Array<{ path: string; body: Uint8Array }>): Uint8Array {
  const tree: Zippable = {};
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (!file.path || file.path.startsWith('/') || file.path.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`refusing to zip a file at ${JSON.stringify(file.path)}`);
    }
    tree[file.path] = [file.body, { os: 3, attrs: FILE_ATTRS, mtime: MTIME, level: 6 }];
  }
  return zipSync(tree);
}
