import { closeSync, readFileSync } from 'node:fs';

/**
 * Variables that must not appear in any argv (bwrap's is the sandbox's /proc/1/cmdline and shows in
 * the host's `ps`) nor in /proc/<pid>/environ: the host writes them as JSON into a pipe at fd
 * `SLIPWAY_ENV_FD`; the sandboxed process reads them into its environment at start and closes the fd.
 */
export const SECRET_ENV_FD_VARIABLE = 'SLIPWAY_ENV_FD';

/** In the sandboxed process: takes the variables from the fd into `env` (its own), if one was given. Returns their names. */
export function takeSecretEnvironment(env: NodeJS.ProcessEnv): string[] {
  const fdText = env[SECRET_ENV_FD_VARIABLE];
  if (!fdText) return [];
  delete env[SECRET_ENV_FD_VARIABLE];
  const fd = Number(fdText);
  if (!Number.isInteger(fd) || fd < 3) throw new Error(`${SECRET_ENV_FD_VARIABLE} is not a file descriptor number`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(fd, 'utf8'));
  } finally {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('the environment on the fd is not a JSON object');
  const names: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') continue;
    env[name] = value;
    names.push(name);
  }
  return names;
}
