import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStepFunctions, stateMachineArn } from '../../../infra/local/engine/local-step-functions.js';
import type { ExecutionRecord, HistoryEvent } from '../../../infra/local/engine/execution-store.js';
import type { SynthesizedPlatform } from '../../../infra/local/engine/synthesized-workflows.js';
import { planResume } from '../../../infra/local/engine/redrive.js';
import { placedStates } from '../../../infra/local/engine/nested-states.js';

/**
 * Map states on the local engine (the template rollout's): the tasks of its iterations are bound by
 * their names and their Waits shortened like top-level ones; the history says which item each
 * nested state ran for; and a platform killed during a Map is redriven from the Map state itself,
 * with the Map's input (its iterations run again), never from a nested state it cannot start at.
 */
const MACHINE = 'slipway-map-test';
const DESCRIBE = 'arn:aws:states:::aws-sdk:cloudformation:describeStacks';
const definition = {
  StartAt: 'List',
  States: {
    List: { Type: 'Pass', Result: ['alpha', 'bravo', 'charlie'], ResultPath: '$.items', Next: 'Each' },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemSelector: { 'name.$': '$$.Map.Item.Value' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Describe',
        States: {
          Describe: { Type: 'Task', Resource: DESCRIBE, Parameters: { 'StackName.$': '$.name' }, ResultPath: '$.described', Next: 'Pause' },
          // An hour on AWS: the engine's wait override must reach a Wait inside an iteration too.
          Pause: { Type: 'Wait', Seconds: 3600, Next: 'Named' },
          Named: { Type: 'Pass', Parameters: { 'name.$': '$.name', 'status.$': '$.described.status' }, End: true },
        },
      },
      ResultPath: '$.results',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};
const platform: SynthesizedPlatform = { workflows: new Map([[MACHINE, { name: MACHINE, logicalId: 'Test', definition }]]), resources: {} };

let dir: string | undefined;
const described: string[] = [];
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  described.length = 0;
});

async function engine(): Promise<LocalStepFunctions> {
  dir ??= mkdtempSync(join(tmpdir(), 'slipway-map-'));
  const unused = () => Promise.reject(new Error('not used'));
  return LocalStepFunctions.create(
    platform,
    {
      runBuildJob: unused,
      async cloudformation(action, parameters) {
        expect(action).toBe('describeStacks');
        described.push(String(parameters.StackName));
        return { status: `seen-${String(parameters.StackName)}` };
      },
      assumeRole: unused,
      platform() {
        throw new Error('not used');
      },
    },
    dir,
  );
}

const results = [
  { name: 'alpha', status: 'seen-alpha' },
  { name: 'bravo', status: 'seen-bravo' },
  { name: 'charlie', status: 'seen-charlie' },
];

describe('Map states on the local engine', () => {
  it('runs each iteration’s tasks and waits, and records which item each nested state ran for', async () => {
    const local = await engine();
    try {
      const started = Date.now();
      const record = await local.settled(local.startExecution(stateMachineArn(MACHINE), 'map-run', '{}').executionArn);
      expect(record.status, record.cause).toBe('SUCCEEDED');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(JSON.parse(record.output as string).results).toEqual(results);
      expect(described.sort()).toEqual(['alpha', 'bravo', 'charlie']);
      const nested = record.events.filter((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name === 'Describe');
      expect(nested.map((e) => e.type)).toEqual(['TaskStateEntered', 'TaskStateEntered', 'TaskStateEntered']);
      expect(nested.map((e) => e.mapIterationIndex).sort()).toEqual([0, 1, 2]);
      expect(record.events.filter((e) => e.type === 'WaitStateEntered')).toHaveLength(3);
    } finally {
      await local.close();
    }
  });

  it('redrives an execution cut off inside a Map from the Map state, with the Map’s input', async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-map-'));
    const name = 'map-cut';
    const executionArn = `arn:aws:states:us-east-1:000000000000:execution:${MACHINE}:${name}`;
    const mapInput = { items: ['alpha', 'bravo', 'charlie'] };
    const events: HistoryEvent[] = [];
    const push = (type: string, state: string, input: unknown, index?: number) =>
      events.push({
        id: events.length + 1,
        previousEventId: events.length,
        timestamp: new Date().toISOString(),
        type,
        stateEnteredEventDetails: { name: state, input: JSON.stringify(input) },
        ...(index === undefined ? {} : { mapIterationIndex: index }),
      });
    push('PassStateEntered', 'List', {});
    push('MapStateEntered', 'Each', mapInput);
    push('TaskStateEntered', 'Describe', { name: 'alpha' }, 0);
    push('TaskStateEntered', 'Describe', { name: 'bravo' }, 1);
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: stateMachineArn(MACHINE),
      name,
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      input: '{}',
      events,
    };
    writeFileSync(join(dir, `${MACHINE}.${name}.json`), JSON.stringify(record));
    const local = await engine();
    try {
      expect(local.reconcile()).toEqual([{ executionArn, plan: 'resume', state: 'Each' }]);
      const done = await local.settled(executionArn);
      expect(done.status, done.cause).toBe('SUCCEEDED');
      expect(JSON.parse(done.output as string)).toEqual({ ...mapInput, results });
      expect(described.sort()).toEqual(['alpha', 'bravo', 'charlie']);
    } finally {
      await local.close();
    }
  });

  it('places every nested state under its Map, and fails through the Map’s Catch when an iteration holds a build', () => {
    expect(placedStates(definition).map(({ name, topLevel }) => `${topLevel}/${name}`)).toEqual([
      'List/List',
      'Each/Each',
      'Each/Describe',
      'Each/Pause',
      'Each/Named',
      'Done/Done',
    ]);
    const withBuild = structuredClone(definition) as unknown as {
      StartAt: string;
      States: Record<string, { Type: string; Catch?: unknown; ItemProcessor?: { States: Record<string, { Resource?: string }> } }>;
    };
    (withBuild.States.Each?.ItemProcessor?.States.Describe as { Resource: string }).Resource = 'arn:aws:states:::batch:submitJob.sync';
    (withBuild.States.Each as { Catch: unknown }).Catch = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Done' }];
    const record = {
      input: '{}',
      events: [
        { id: 1, previousEventId: 0, timestamp: '', type: 'MapStateEntered', stateEnteredEventDetails: { name: 'Each', input: '{"a":1}' } },
        { id: 2, previousEventId: 1, timestamp: '', type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Describe', input: '{}' } },
      ],
    } as unknown as ExecutionRecord;
    expect(planResume(record, definition, 0)).toEqual({ kind: 'resume', from: 'Each', input: { a: 1 } });
    expect(planResume(record, withBuild as never, 0)).toEqual({
      kind: 'fail-through-catch',
      interrupted: 'Each',
      from: 'Done',
      input: { a: 1, caught: { Error: 'Slipway.PlatformRestarted', Cause: 'platform restarted' } },
    });
  });
});
