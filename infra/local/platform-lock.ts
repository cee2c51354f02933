import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

/** Held by the running platform of a state directory from before it opens anything until it has closed. */
export const PLATFORM_PID_FILE = 'platform.pid';

/** Another live platform holds this state directory: starting a second one would corrupt its storage. */
export class PlatformAlreadyRunning extends Error {
  override name = 'PlatformAlreadyRunning';
  constructor(
    readonly home: string,
    readonly pid: number,
    /** Its URL once it has written platform.json (absent while it is still starting). */
    readonly url: string | undefined,
  ) {
    super(`a platform is already running on ${home} (pid ${pid}${url ? `, ${url}` : ', still starting'})`);
  }
}

/** The pid a lock file names, or undefined when the file is unreadable or not a pid. */
function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Written before this machine last booted: whatever process has its pid now is not that platform. */
function fromBeforeBoot(file: string): boolean {
  try {
    return statSync(file).mtimeMs < Date.now() - uptime() * 1000;
  } catch {
    return true;
  }
}

function platformUrl(home: string, pid: number): string | undefined {
  try {
    const info = JSON.parse(readFileSync(join(home, 'platform.json'), 'utf8')) as { pid?: unknown; url?: unknown };
    return info.pid === pid && typeof info.url === 'string' ? info.url : undefined;
  } catch {
    return undefined;
  }
}

/** State directories this process holds (a pid file naming this process is only its own if listed here). */
const heldHere = new Set<string>();

/**
 * Claims `home` for this process, or throws PlatformAlreadyRunning naming the live platform that
 * holds it. A file left by a platform that was killed (its pid dead, reused by this very process
 * after a container restart, or written before the last boot) is taken over. Returns the release,
 * which removes the file only while it is still this process's.
 */
export function claimStateDirectory(home: string): () => void {
  const file = join(home, PLATFORM_PID_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(file);
    const live = holder === process.pid ? heldHere.has(home) : holder !== undefined && processAlive(holder) && !fromBeforeBoot(file);
    if (live) throw new PlatformAlreadyRunning(home, holder as number, platformUrl(home, holder as number));
    // A second stale file right after removing one: a rival start is churning it; do not loop on it.
    if (attempt > 0) throw new Error(`could not claim ${file}: another start keeps replacing it`);
    rmSync(file, { force: true });
  }
  heldHere.add(home);
  return () => {
    heldHere.delete(home);
    if (lockHolder(file) === process.pid) rmSync(file, { force: true });
  };
}
