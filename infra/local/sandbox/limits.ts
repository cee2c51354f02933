/** The caps of one sandbox (a build or a function worker). */
export interface SandboxLimits {
  /** Resident memory of all its processes together (page cache and tmpfs included), MiB. */
  memoryMiB: number;
  /** Processes and threads together (a Node process alone holds about a dozen threads). */
  processes: number;
  /** CPU time of each process, seconds (past it the process gets SIGXCPU, then SIGKILL). */
  cpuSeconds: number;
  /** Share of the machine's cores it may use at once (1 = one core). */
  cpuCores: number;
  /** Size of the RAM-backed /tmp, MiB. */
  tmpMiB: number;
  /** Size of the writable workspace, MiB (builds only). */
  workspaceMiB?: number;
}

export type SandboxKind = 'build' | 'function';

/**
 * Defaults for a 2-core / 24 GiB machine, where at most one build per core runs at once: two builds
 * at 4 GiB each leave most of the memory to the platform and the function workers. 512 tasks fits a
 * SvelteKit build (npm, vite, esbuild: about 150 threads) with room; 4 GiB of workspace holds a large
 * node_modules twice over.
 */
export const DEFAULT_BUILD_LIMITS: SandboxLimits = {
  memoryMiB: 4096,
  processes: 512,
  cpuSeconds: 1800,
  cpuCores: 1,
  tmpMiB: 512,
  workspaceMiB: 4096,
};

/** A function's memory is the project's configured memoryMb; /tmp is Lambda's default 512 MB. */
export function functionLimits(memoryMiB: number): SandboxLimits {
  return { memoryMiB, processes: 128, cpuSeconds: 900, cpuCores: 1, tmpMiB: 512 };
}

export type CapName = 'memory' | 'processes' | 'cpu time' | 'disk';

/** `slipway: limit build memory is 4096 MiB; …` — the line a build or function log gets when a cap trips. */
export function capLine(kind: SandboxKind, cap: CapName, limits: SandboxLimits, what: string): string {
  const value =
    cap === 'memory'
      ? `${limits.memoryMiB} MiB`
      : cap === 'processes'
        ? `${limits.processes}`
        : cap === 'cpu time'
          ? `${limits.cpuSeconds} s`
          : `${limits.workspaceMiB ?? limits.tmpMiB} MiB`;
  return `slipway: limit ${kind} ${cap} is ${value}; ${what}`;
}

/**
 * With rlimits alone there is no counter of refusals: the cap is read from the error the refused
 * call produced, as the job printed it (a fork's EAGAIN, a failed allocation, a file too large).
 */
const REFUSALS: Array<[CapName, RegExp]> = [
  ['processes', /\bEAGAIN\b|Resource temporarily unavailable/],
  ['memory', /Array buffer allocation failed|JavaScript heap out of memory|\bENOMEM\b|Cannot allocate memory/],
  ['disk', /\bEFBIG\b|File too large|\bENOSPC\b|No space left on device/],
  ['cpu time', /SIGXCPU|CPU time limit exceeded/],
];

export function capFromOutput(lines: string[]): CapName | undefined {
  for (const line of lines.slice(-50).reverse()) {
    for (const [cap, pattern] of REFUSALS) if (pattern.test(line)) return cap;
  }
  return undefined;
}
