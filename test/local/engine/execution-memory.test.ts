import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ExecutionAlreadyExists, LocalStepFunctions, stateMachineArn } from '../../../infra/local/engine/local-step-functions.js';
import type { SynthesizedPlatform } from '../../../infra/local/engine/synthesized-workflows.js';

/**
 * The engine's memory after executions finish (issue 11, idle RSS): a finished execution's history
 * (every state's input and output; a deployment's tickets among them) lives in its file, not in
 * the platform's heap, so the platform's memory does not grow with every deployment it ran.
 */
const MACHINE = 'slipway-memory';
/** Each execution carries this much input through two states: its history holds it several times. */
const PAYLOAD_BYTES = 64 * 1024;
const definition = {
  StartAt: 'First',
  States: {
    First: { Type: 'Pass', Result: 1, ResultPath: '$.first', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
const platform: SynthesizedPlatform = { workflows: new Map([[MACHINE, { name: MACHINE, logicalId: 'Test', definition }]]), resources: {} };
const unused = async (): Promise<never> => {
  throw new Error('not used');
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function engine(): Promise<LocalStepFunctions> {
  dir ??= mkdtempSync(join(tmpdir(), 'slipway-execution-memory-'));
  return LocalStepFunctions.create(
    platform,
    { runBuildJob: unused, cloudformation: unused, assumeRole: unused, platform: () => unused() as never },
    dir,
  );
}

/** Runs `count` executions to the end; returns WeakRefs to the records the engine wrote while they ran. */
async function runFinished(steps: LocalStepFunctions, count: number, prefix: string): Promise<Array<WeakRef<object>>> {
  const refs: Array<WeakRef<object>> = [];
  for (let i = 0; i < count; i++) {
    const input = JSON.stringify({ payload: `${i}`.padEnd(PAYLOAD_BYTES, 'x') });
    const started = steps.startExecution(stateMachineArn(MACHINE), `${prefix}-${i}`, input);
    refs.push(new WeakRef(started));
    expect((await steps.settled(started.executionArn)).status).toBe('SUCCEEDED');
  }
  return refs;
}

describe('finished executions', () => {
  it('are not held in memory: every record the engine wrote while it ran is collected once it finished', async () => {
    const steps = await engine();
    const refs = await runFinished(steps, 20, 'run');
    // Finalizers and the interpreter's last microtasks: a few turns, then a full collection.
    for (let turn = 0; turn < 3; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    const held = refs.filter((ref) => ref.deref() !== undefined).length;
    expect(held, `${held} of 20 finished execution records are still reachable`).toBe(0);
  });

  it('are still described, listed and refused as duplicates, from their files', async () => {
    const steps = await engine();
    await runFinished(steps, 3, 'kept');
    const listed = steps.listExecutions({ stateMachineArn: stateMachineArn(MACHINE) });
    expect(listed.map((e) => [e.name, e.status])).toEqual([
      ['kept-2', 'SUCCEEDED'],
      ['kept-1', 'SUCCEEDED'],
      ['kept-0', 'SUCCEEDED'],
    ]);
    // The summary carries no history or payload: that is what stays in memory per execution.
    expect(JSON.stringify(listed).length).toBeLessThan(3 * 1024);
    const described = steps.describeExecution(listed[2]?.executionArn as string);
    expect(JSON.parse(described.input)).toEqual({ payload: '0'.padEnd(PAYLOAD_BYTES, 'x') });
    expect(JSON.parse(described.output as string)).toMatchObject({ first: 1 });
    expect(described.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(() => steps.startExecution(stateMachineArn(MACHINE), 'kept-1', '{}')).toThrow(ExecutionAlreadyExists);
    // A restarted platform sees the same executions without reading their histories into memory.
    const reopened = await engine();
    expect(reopened.listExecutions({}).map((e) => e.name)).toEqual(['kept-2', 'kept-1', 'kept-0']);
    expect(reopened.describeExecution(described.executionArn).events).toEqual(described.events);
    expect(reopened.reconcile()).toEqual([]);
  });
});
