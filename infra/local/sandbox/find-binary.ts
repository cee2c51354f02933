import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** An executable by name on PATH (or the explicit path given), or undefined. */
export function findBinary(name: string, explicit?: string): string | undefined {
  const candidates = explicit
    ? [explicit]
    : [...(process.env.PATH ?? DEFAULT_PATH).split(delimiter), ...DEFAULT_PATH.split(delimiter)]
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** The error for a missing system tool: names the Debian package that provides it. */
export function missingToolError(tool: string, debianPackage: string, path?: string): Error {
  const error = new Error(
    `${tool} not found${path ? ` at ${path}` : ' on PATH'}: untrusted code only runs sandboxed; install the "${debianPackage}" package (apt-get install ${debianPackage})`,
  );
  error.name = 'Sandbox.Unavailable';
  return error;
}
