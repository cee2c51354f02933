import { performance } from 'node:perf_hooks';
import type { ApiClient } from '../../cli/api-client.js';
import { type Deployment, deployDirectory } from '../../cli/deploy.js';

/**
 * One push-to-live through the API, split into the user's own build (install + vite build, as the
 * build runner times them in the build log) and everything else the platform does: the overhead
 * figure is what Slipway adds on top of the user's build.
 */
export interface TimedDeploy {
  deployment: Deployment;
  totalMs: number;
  installMs: number;
  buildMs: number;
  overheadMs: number;
  /** The whole build log the deployment printed. */
  log: string;
  /** Wall-clock start and end of the push (ms since the epoch), to set beside the execution's own dates. */
  startedAt: number;
  endedAt: number;
}

export async function timedDeploy(
  api: ApiClient,
  dir: string,
  project: string,
  pollMs = 100,
  options: { preflight?: boolean } = {},
): Promise<TimedDeploy> {
  let log = '';
  const startedAt = Date.now();
  const started = performance.now();
  const deployment = await deployDirectory(api, { dir, project, onLog: (text) => (log += text), pollMs, ...options });
  const totalMs = performance.now() - started;
  const endedAt = Date.now();
  const timing = /slipway: timing install=(\d+) build=(\d+)/.exec(log);
  if (!timing) throw new Error('the build log has no timing line');
  const installMs = Number(timing[1]);
  const buildMs = Number(timing[2]);
  return { deployment, totalMs, installMs, buildMs, overheadMs: totalMs - installMs - buildMs, log, startedAt, endedAt };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
