import { cgroupsAvailable } from './cgroup.js';

/**
 * How this machine caps a sandbox, detected once per process (it is a property of the machine):
 * `cgroup` (v1 memory/pids/cpu cgroups created under the platform's own, plus CPU-time rlimits) or
 * `rlimit` (prlimit alone: CPU time, processes per uid, data size for memory). A platform started
 * with `sandboxCaps: 'rlimit'` forces the fallback (the CLI takes it from SLIPWAY_SANDBOX_CAPS).
 */
export type CapMechanism = 'cgroup' | 'rlimit';

let detected: CapMechanism | undefined;
export function capMechanism(): CapMechanism {
  detected ??= cgroupsAvailable() ? 'cgroup' : 'rlimit';
  return detected;
}

/** Caps every sandbox of this process with rlimits alone, even where cgroups are available. */
export function forceRlimitCaps(): void {
  detected = 'rlimit';
}
