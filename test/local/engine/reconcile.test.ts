import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStepFunctions, stateMachineArn } from '../../../infra/local/engine/local-step-functions.js';
import type { ExecutionRecord, HistoryEvent } from '../../../infra/local/engine/execution-store.js';
import type { SynthesizedPlatform } from '../../../infra/local/engine/synthesized-workflows.js';
import type { BuildJobRequest } from '../../../infra/local/engine/task-bindings.js';
import { MAX_REDRIVES } from '../../../infra/local/engine/redrive.js';

/**
 * Reconcile on start, in process and in milliseconds: an execution file left RUNNING (as a killed
 * platform leaves it) is redriven from the state it had entered, or failed through that state's
 * Catch when the state is a build. The crash test (test/security/crash-recovery.test.ts) does the
 * same with real processes and the real workflows.
 */
const MACHINE = 'slipway-test';
const BATCH = 'arn:aws:states:::batch:submitJob.sync';
const definition = {
  StartAt: 'First',
  States: {
    First: { Type: 'Pass', Result: 1, ResultPath: '$.first', Next: 'Second' },
    Second: { Type: 'Pass', Result: 2, ResultPath: '$.second', Next: 'Build' },
    Build: {
      Type: 'Task',
      Resource: BATCH,
      Parameters: { JobName: 'job', JobQueue: 'q', JobDefinition: 'd' },
      ResultPath: '$.build',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Record failure' }],
      Next: 'Done',
    },
    'Record failure': {
      Type: 'Pass',
      Parameters: { 'error.$': '$.caught.Error', 'cause.$': '$.caught.Cause' },
      ResultPath: '$.failure',
      Next: 'Failed',
    },
    Failed: { Type: 'Fail', ErrorPath: '$.failure.error', CausePath: '$.failure.cause' },
    Done: { Type: 'Succeed' },
  },
};
const platform: SynthesizedPlatform = { workflows: new Map([[MACHINE, { name: MACHINE, logicalId: 'Test', definition }]]), resources: {} };

let dir: string | undefined;
const builds: BuildJobRequest[] = [];
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  builds.length = 0;
});

/** Writes the file a platform killed in `state` (entered with `input`) leaves behind. */
function interrupted(name: string, entered: Array<[string, unknown]>, redriveCount?: number): string {
  dir = mkdtempSync(join(tmpdir(), 'slipway-reconcile-'));
  const executionArn = `arn:aws:states:us-east-1:000000000000:execution:${MACHINE}:${name}`;
  const events: HistoryEvent[] = [{ id: 1, previousEventId: 0, timestamp: new Date().toISOString(), type: 'ExecutionStarted' }];
  for (const [state, input] of entered) {
    const id = events.length + 1;
    events.push({
      id,
      previousEventId: id - 1,
      timestamp: new Date().toISOString(),
      type: 'PassStateEntered',
      stateEnteredEventDetails: { name: state, input: JSON.stringify(input) },
    });
  }
  const record: ExecutionRecord = {
    executionArn,
    stateMachineArn: stateMachineArn(MACHINE),
    name,
    status: 'RUNNING',
    startDate: new Date().toISOString(),
    input: JSON.stringify({ start: true }),
    events,
    ...(redriveCount === undefined ? {} : { redriveCount }),
  };
  writeFileSync(join(dir, `${MACHINE}.${name}.json`), JSON.stringify(record));
  return executionArn;
}

/** Builds of these job names run until their execution is stopped, and report when they start. */
const hanging = new Map<string, () => void>();

async function engine(): Promise<LocalStepFunctions> {
  return LocalStepFunctions.create(
    platform,
    {
      async runBuildJob(request, options) {
        builds.push(request);
        const started = hanging.get(request.jobName);
        if (started) {
          started();
          await new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(new Error('stopped'))));
        }
        return { jobId: 'job-1', status: 'SUCCEEDED' };
      },
      async cloudformation() {
        throw new Error('not used');
      },
      async assumeRole() {
        throw new Error('not used');
      },
      platform() {
        throw new Error('not used');
      },
    },
    dir as string,
  );
}

const entered = (record: ExecutionRecord) =>
  record.events.flatMap((e) =>
    (e.stateEnteredEventDetails as { name?: string } | undefined)?.name ? [(e.stateEnteredEventDetails as { name: string }).name] : [],
  );

describe('reconcile on start', () => {
  it("redrives an execution from the state it had entered, with that state's input, under the same ARN", async () => {
    const arn = interrupted('cut-in-second', [
      ['First', { start: true }],
      ['Second', { start: true, first: 1 }],
    ]);
    const steps = await engine();
    expect(steps.reconcile()).toEqual([{ executionArn: arn, plan: 'resume', state: 'Second' }]);
    const record = await steps.settled(arn);
    expect(record.status).toBe('SUCCEEDED');
    expect(JSON.parse(record.output as string)).toEqual({
      start: true,
      first: 1,
      second: 2,
      build: { JobId: 'job-1', JobName: 'job', Status: 'SUCCEEDED' },
    });
    // First ran once (before the crash); Second again after the redrive.
    expect(entered(record)).toEqual(['First', 'Second', 'Second', 'Build', 'Done']);
    expect(record.events.find((e) => e.type === 'ExecutionRedriven')).toMatchObject({
      executionRedrivenEventDetails: { redriveCount: 1, fromState: 'Second' },
    });
    expect(record.events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    expect(record.redriveCount).toBe(1);
  });

  it('fails an interrupted build through its own Catch with `platform restarted`, without re-submitting it', async () => {
    const arn = interrupted('cut-in-build', [
      ['First', { start: true }],
      ['Second', { start: true, first: 1 }],
      ['Build', { start: true, first: 1, second: 2 }],
    ]);
    const steps = await engine();
    expect(steps.reconcile()).toEqual([{ executionArn: arn, plan: 'fail-through-catch', state: 'Build' }]);
    const record = await steps.settled(arn);
    expect(builds).toEqual([]);
    expect(record).toMatchObject({ status: 'FAILED', error: 'Slipway.PlatformRestarted', cause: 'platform restarted' });
    expect(entered(record)).toEqual(['First', 'Second', 'Build', 'Record failure', 'Failed']);
    expect(record.events.map((e) => e.type)).toEqual(expect.arrayContaining(['TaskFailed', 'TaskCaught', 'ExecutionRedriven']));
  });

  it(`treats a state the platform died in ${MAX_REDRIVES} times as unsafe, and never leaves an execution RUNNING`, async () => {
    const arn = interrupted('keeps-dying', [['First', { start: true }]], MAX_REDRIVES);
    const steps = await engine();
    expect(steps.reconcile()).toEqual([{ executionArn: arn, plan: 'fail', state: 'First' }]);
    expect(steps.describeExecution(arn)).toMatchObject({ status: 'FAILED', error: 'Slipway.PlatformRestarted' });
    expect(steps.describeExecution(arn).cause).toContain('platform restarted');
    // Reconciled once: a second call finds nothing left RUNNING.
    expect(steps.reconcile()).toEqual([]);
  });

  it('leaves an execution RUNNING on disk when the platform shuts down, so the next start reconciles it like a crash', async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-reconcile-'));
    const first = await engine();
    const building = new Promise<void>((resolve) => hanging.set('job', resolve));
    const { executionArn } = first.startExecution(stateMachineArn(MACHINE), 'shut-down-in-build', JSON.stringify({ start: true }));
    await building;
    await first.close();
    hanging.clear();
    expect(first.describeExecution(executionArn).status).toBe('RUNNING');

    const second = await engine();
    expect(second.describeExecution(executionArn).status).toBe('RUNNING');
    expect(second.reconcile()).toEqual([{ executionArn, plan: 'fail-through-catch', state: 'Build' }]);
    expect(await second.settled(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'Slipway.PlatformRestarted',
      cause: 'platform restarted',
    });
    expect(builds).toHaveLength(1);
  });

  it('starts an execution that had entered no state from its StartAt with its own input', async () => {
    const arn = interrupted('never-began', []);
    const steps = await engine();
    expect(steps.reconcile()).toEqual([{ executionArn: arn, plan: 'resume', state: 'First' }]);
    const record = await steps.settled(arn);
    expect(record.status).toBe('SUCCEEDED');
    expect(entered(record)).toEqual(['First', 'Second', 'Build', 'Done']);
  });
});
