import { existsSync } from 'node:fs';
import { delimiter, dirname, relative, isAbsolute } from 'node:path';
import { packageRoot } from '../../package-root.js';

/**
 * The PATH a sandbox gets: fixed, never the platform's own (which names the checkout's
 * `node_modules/.bin` when started through npm, and the operator's tool folders).
 */

/** Lambda's Node.js runtime: `/var/lang/bin` (Node's own folder here) then these. */
export const FUNCTION_PATH = ['/usr/local/bin', '/usr/bin', '/bin', '/opt/bin'] as const;
/** The build image's (node:22-slim's) PATH. */
export const BUILD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'] as const;

function inside(path: string, folder: string): boolean {
  const rest = relative(folder, path);
  return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
}

/**
 * Node's folder first (Lambda's `/var/lang/bin`: the sandbox binds it, and builds run npm from it),
 * then the given system folders; only folders that exist, since a sandbox binds the host's `/`.
 */
export function sandboxPath(folders: readonly string[], options: { nodeDir?: string; exists?: (path: string) => boolean } = {}): string {
  const exists = options.exists ?? existsSync;
  const nodeDir = options.nodeDir ?? dirname(process.execPath);
  // A Node inside the checkout (a vendored binary) would name the checkout: its folder stays out.
  const fromNode = inside(nodeDir, packageRoot()) ? [] : [nodeDir];
  return [...new Set([...fromNode, ...folders])].filter((folder) => exists(folder)).join(delimiter);
}
