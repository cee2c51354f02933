import { setTimeout as sleep } from 'node:timers/promises';
import { type LoadTarget, timeToFirstByte } from './load.js';
import { processTree } from './process-tree.js';

/** Function workers run `function-host/worker.js` (in their sandbox). */
export const isFunctionWorkerCommand = (command: string): boolean => command.includes('function-host/worker');

/**
 * Whether a process is the worker of a project's function (or its sandbox): its command names the
 * worker and the function `slipway-<project>` (a spare worker, with no deployment yet, names none).
 */
const isWorkerOf = (project: string, command: string): boolean =>
  isFunctionWorkerCommand(command) && command.includes(` slipway-${project} `);

/** Resolves once no worker of the project runs under the platform's process (it stopped after its idle time). */
export async function workerStopped(platformPid: number, project: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processTree(platformPid).some((p) => isWorkerOf(project, p.command))) {
    if (Date.now() > deadline) throw new Error(`a function worker still ran ${timeoutMs} ms after its idle time`);
    await sleep(10);
  }
}

/**
 * Cold starts of a project: each waits until the platform stopped the project's worker (run it with
 * a short SLIPWAY_FUNCTION_IDLE_SECONDS), then times `GET` to its response head. The first may
 * follow a platform restart instead, when no worker ran yet.
 */
export async function coldStarts(
  platformPid: number,
  project: string,
  target: LoadTarget,
  count: number,
  idleMs: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await workerStopped(platformPid, project, idleMs + 30_000);
    const { ms, status } = await timeToFirstByte(target);
    if (status !== 200) throw new Error(`cold start ${i + 1} answered ${status}`);
    times.push(ms);
  }
  return times;
}
