import { cgroupsAvailable } from './cgroup.js';

/**
 * How this machine caps a sandbox, detected once: `cgroup` (v1 memory/pids/cpu cgroups created
 * under the platform's own, plus CPU-time rlimits) or `rlimit` (prlimit alone: CPU time, processes
 * per uid, data size for memory). SLIPWAY_SANDBOX_CAPS=rlimit forces the fallback.
 */
export type CapMechanism = 'cgroup' | 'rlimit';

let detected: CapMechanism | undefined;
export function capMechanism(): CapMechanism {
  detected ??= process.env.SLIPWAY_SANDBOX_CAPS !== 'rlimit' && cgroupsAvailable() ? 'cgroup' : 'rlimit';
  return detected;
}
