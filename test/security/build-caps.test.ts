import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxRunner, type SandboxRunner } from '../../infra/local/batch/sandbox.js';
import { capMechanism } from '../../infra/local/sandbox/cap-mechanism.js';
import { requireSandboxTools } from '../support/sandbox-tools.js';

/**
 * A build that forks 1,000 processes, allocates 4 GiB, writes 5 GiB or spins is stopped by its cap, and the
 * failure names the cap and its value. The caps are scaled down so each attack trips in seconds;
 * the mechanism is the one every build gets (the build sandbox, this machine's cgroups or rlimits).
 */
const here = dirname(fileURLToPath(import.meta.url));
const LIMITS = { memoryMiB: 512, processes: 200, workspaceMiB: 256, tmpMiB: 64 };

describe('build caps', () => {
  let root: string;
  const lines: string[] = [];
  /** What the runner added to each build's own log, by build id. */
  const appended = new Map<string, string[]>();

  beforeAll(async () => {
    requireSandboxTools();
    root = await mkdtemp(join(here, '.caps-'));
  });
  afterAll(async () => {
    await Promise.all(runners.map((run) => run.cleanedUp()));
    await rm(root, { recursive: true, force: true });
  });
  /** Their jobs' teardowns (the workspaces) finish before the root goes. */
  const runners: SandboxRunner[] = [];

  async function attack(name: string, limits: Partial<typeof LIMITS & { cpuSeconds: number }> = {}): Promise<Error> {
    const run = createSandboxRunner({
      workRoot: join(root, 'builds'),
      hiddenPaths: [root],
      baseEnvironment: { ATTACK: name },
      command: [process.execPath, join(here, 'fixtures', 'cap-job.mjs')],
      limits: { ...LIMITS, ...limits },
      onLog: (_job, line) => lines.push(line),
      appendBuildLog: async (buildId, line) => void appended.set(buildId, [...(appended.get(buildId) ?? []), line]),
    });
    runners.push(run);
    const outcome = await run({ jobName: `caps-${name}`, timeoutSeconds: 60, environment: { SLIPWAY_BUILD_ID: `d-caps-${name}` } }).catch(
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(Error);
    return outcome as Error;
  }

  it('stops a build that forks 1,000 processes and names the process cap', async () => {
    const error = await attack('fork');
    expect(error.name).toBe('States.TaskFailed');
    expect(error.message).toContain(`limit build processes is ${LIMITS.processes}`);
    expect(lines).toContain(`slipway: limit build processes is ${LIMITS.processes}; the build was stopped`);
    // The build's own log (what `slipway logs` shows) says it too.
    expect(appended.get('d-caps-fork')).toEqual([`slipway: limit build processes is ${LIMITS.processes}; the build was stopped`]);
    expect(lines.some((line) => line.includes('all 1000 processes started'))).toBe(false);
  });

  it('stops a build that allocates 4 GiB and names the memory cap', async () => {
    const error = await attack('memory');
    expect(error.message).toContain(`limit build memory is ${LIMITS.memoryMiB} MiB`);
    expect(appended.get('d-caps-memory')?.[0]).toContain(`slipway: limit build memory is ${LIMITS.memoryMiB} MiB`);
    expect(lines.some((line) => line.startsWith('allocated'))).toBe(false);
  });

  it('stops a build that writes 5 GiB and names the disk cap', async () => {
    const error = await attack('disk');
    expect(error.message).toContain(`limit build disk is ${LIMITS.workspaceMiB} MiB`);
    expect(lines).not.toContain('wrote 5 GiB');
  });

  it('stops a build that spins past its CPU time and names the CPU cap', async () => {
    const error = await attack('cpu', { cpuSeconds: 1 });
    expect(error.message).toContain('limit build cpu time is 1 s');
    expect(lines).not.toContain('spun for a minute');
  });

  it('uses cgroups on a machine that allows them, rlimits otherwise', () => {
    // Reported so a run's log says which mechanism this machine got.
    console.log(`sandbox caps on this machine: ${capMechanism()}`);
    expect(['cgroup', 'rlimit']).toContain(capMechanism());
  });
});
