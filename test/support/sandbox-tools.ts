import { findBinary } from '../../infra/local/sandbox/find-binary.js';

/** The sandbox's system tools; a missing one fails the test naming its Debian package. */
const TOOLS: Array<[binary: string, debianPackage: string]> = [
  ['bwrap', 'bubblewrap'],
  ['slirp4netns', 'slirp4netns'],
  ['prlimit', 'util-linux'],
  ['unshare', 'util-linux'],
  ['setpriv', 'util-linux'],
];

export function requireSandboxTools(): void {
  const missing = TOOLS.filter(([binary]) => !findBinary(binary));
  if (missing.length > 0) {
    throw new Error(
      `the sandbox needs ${missing.map(([binary, pkg]) => `${binary} (Debian package "${pkg}")`).join(', ')}: apt-get install ${[...new Set(missing.map(([, pkg]) => pkg))].join(' ')}`,
    );
  }
}
