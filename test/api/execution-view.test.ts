import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { executionDataView, executionView, outputSummary, stateViews } from '../../handlers/api/execution-view.js';
import { stateMachineGraph } from '../../handlers/api/state-machine-graph.js';

const TICKET = 'eyJhbGciOiJIUzI1NiJ9.eyJvcCI6ImJ1aWxkLWRlcGxveSJ9.c2lnbmF0dXJlLXZhbHVl';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN1234567890';

const base = {
  ticket: TICKET,
  project: 'shop',
  deploymentId: 'd-lz3k9a-x7y8',
  source: { bucket: 'slipway-sources', key: 'sources/shop/u-1.tar.gz' },
  github: { repository: 'acme/shop', commit: 'a'.repeat(40), installationId: 42 },
};
const withCredentials = {
  ...base,
  build: { accessKeyId: 'ASIAQWERTYUIOPASDFGH', secretAccessKey: SECRET_KEY, sessionToken: SESSION_TOKEN },
};
const batchCause = JSON.stringify({
  JobName: 'slipway-build',
  JobId: 'job-1',
  Status: 'FAILED',
  StatusReason: 'Essential container in task exited',
  Container: {
    ExitCode: 1,
    Environment: [
      { Name: 'AWS_SECRET_ACCESS_KEY', Value: SECRET_KEY },
      { Name: 'AWS_SESSION_TOKEN', Value: SESSION_TOKEN },
    ],
  },
});

let second = 0;
function at(): Date {
  second += 1;
  return new Date(Date.UTC(2026, 0, 1, 0, 0, second));
}
let id = 0;
function event(type: string, details: Omit<HistoryEvent, 'id' | 'type' | 'timestamp'> = {}): HistoryEvent {
  id += 1;
  return { id, previousEventId: id - 1, type: type as HistoryEvent['type'], timestamp: at(), ...details };
}
const entered = (name: string, input: unknown, type = 'Task') =>
  event(`${type}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
const exited = (name: string, output: unknown, type = 'Task') =>
  event(`${type}StateExited`, { stateExitedEventDetails: { name, output: JSON.stringify(output) } });

/** An AWS-shaped history: task events do not name their state; a retry schedules the task again. */
function awsHistory(): HistoryEvent[] {
  return [
    event('ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify(base) } }),
    entered('Verify ticket', base),
    event('TaskScheduled'),
    event('TaskFailed', {
      taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Lambda.ServiceException', cause: 'throttled' },
    }),
    event('TaskScheduled'),
    event('TaskSucceeded'),
    exited('Verify ticket', { ...base, claims: { user: 'alice' } }),
    entered('Scope build credentials', base),
    exited('Scope build credentials', withCredentials),
    entered('Build', withCredentials),
    event('TaskScheduled'),
    event('TaskFailed', {
      taskFailedEventDetails: { resourceType: 'batch', resource: 'submitJob.sync', error: 'States.TaskFailed', cause: batchCause },
    }),
    entered('Build failed', { ...base, failure: { Error: 'States.TaskFailed', Cause: batchCause } }, 'Pass'),
    exited('Build failed', { ...base, failure: { state: 'Build', error: 'States.TaskFailed', cause: batchCause } }, 'Pass'),
    entered('Failed', base, 'Fail'),
    event('ExecutionFailed', {
      executionFailedEventDetails: { error: 'States.TaskFailed', cause: 'Batch job slipway-build job-1 FAILED' },
    }),
  ];
}

describe('execution view', () => {
  it('gives each state its type, status, times and summarised failure, following AWS history', () => {
    const states = stateViews(awsHistory());
    expect(states.map(({ name, type, status }) => ({ name, type, status }))).toEqual([
      { name: 'Verify ticket', type: 'Task', status: 'retried' },
      { name: 'Scope build credentials', type: 'Task', status: 'succeeded' },
      { name: 'Build', type: 'Task', status: 'caught' },
      { name: 'Build failed', type: 'Pass', status: 'succeeded' },
      { name: 'Failed', type: 'Fail', status: 'failed' },
    ]);
    expect(states[0]).toMatchObject({ retries: 1, durationMs: 5000 });
    expect(states[0]).not.toHaveProperty('error');
    expect(states[2]).toMatchObject({
      error: 'States.TaskFailed',
      cause: 'Batch job slipway-build job-1 FAILED: Essential container in task exited: container exit code 1',
    });
    expect(states[4]).toMatchObject({ error: 'States.TaskFailed', cause: 'Batch job slipway-build job-1 FAILED' });
    expect(states.every((s) => typeof s.start === 'string' && typeof s.end === 'string')).toBe(true);
  });

  it('shows no ticket, credential or raw cause, and only allow-listed input fields', () => {
    const view = executionView(
      {
        executionArn: 'arn:aws:states:eu-west-1:1:execution:slipway-build-and-deploy:x',
        stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:slipway-build-and-deploy',
        name: 'x',
        status: 'FAILED',
        startDate: new Date(0),
        stopDate: new Date(60_000),
        input: JSON.stringify(base),
        error: 'States.TaskFailed',
        cause: batchCause,
      },
      awsHistory(),
    );
    const text = JSON.stringify(view);
    for (const secret of [TICKET, SECRET_KEY, SESSION_TOKEN, 'ASIAQWERTYUIOPASDFGH', 'installationId', 'Environment'])
      expect(text).not.toContain(secret);
    expect(view).toMatchObject({ name: 'x', stateMachine: 'slipway-build-and-deploy', status: 'FAILED', durationMs: 60_000 });
    expect(view.input).toEqual({
      project: 'shop',
      deploymentId: 'd-lz3k9a-x7y8',
      sourceKey: 'sources/shop/u-1.tar.gz',
      github: { repository: 'acme/shop', commit: 'a'.repeat(40) },
    });
    expect(view.cause).toBe('Batch job slipway-build job-1 FAILED: Essential container in task exited: container exit code 1');
  });

  it('summarises outputs only for listed states and only id-like values', () => {
    expect(outputSummary('Build', JSON.stringify({ ...withCredentials, build: { jobId: 'job-1' } }))).toEqual({ jobId: 'job-1' });
    expect(outputSummary('Scope build credentials', JSON.stringify(withCredentials))).toBeUndefined();
    expect(outputSummary('Release', JSON.stringify({ release: { live: 'd-2', previous: 'd-1' } }))).toEqual({
      live: 'd-2',
      previous: 'd-1',
    });
    expect(outputSummary('Validate output', JSON.stringify({ output: { sha256: 'f'.repeat(64), files: 3 } }))).toEqual({
      digest: 'f'.repeat(64),
      files: 3,
    });
    // A listed field holding free text (or a value with spaces) is dropped, not shown.
    expect(outputSummary('Build', JSON.stringify({ build: { jobId: `token ${TICKET}` } }))).toBeUndefined();
    expect(executionDataView(JSON.stringify({ project: 'shop', preview: 'pr 7', ticket: TICKET }))).toEqual({ project: 'shop' });
  });

  it("reads the local engine's history too (states named in failures, TaskRetried and TaskCaught)", () => {
    const states = stateViews([
      event('ExecutionStarted'),
      entered('Promote', base),
      event('TaskFailed', {
        taskFailedEventDetails: { resourceType: 'lambda', resource: 'Promote', error: 'S3.InternalError', cause: 'try again' },
      }),
      event('TaskRetried', {} as never),
      exited('Promote', base),
      entered('Release', base),
      event('TaskFailed', {
        taskFailedEventDetails: { resourceType: 'lambda', resource: 'Release', error: 'Error', cause: `session=${SESSION_TOKEN}` },
      }),
      event('TaskCaught', {} as never),
      entered('Release failed', base, 'Pass'),
      event('ExecutionAborted'),
    ]);
    expect(states.map(({ name, status }) => `${name}:${status}`)).toEqual(['Promote:retried', 'Release:caught', 'Release failed:failed']);
    expect(states[1]?.cause).toBe('session=[redacted]');
    expect(states[2]?.error).toBe('States.Aborted');
  });
});

describe('state machine graph', () => {
  it('keeps state names, types and transitions of a definition, nothing else', () => {
    const definition = JSON.stringify({
      StartAt: 'Verify ticket',
      States: {
        'Verify ticket': {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:1:function:secret-name' },
          Next: 'Preview?',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Ticket refused' }],
        },
        'Preview?': { Type: 'Choice', Choices: [{ Variable: '$.preview', IsPresent: true, Next: 'Release' }], Default: 'Live' },
        Release: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Next: 'Live',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Ticket refused' }],
        },
        'Ticket refused': { Type: 'Fail', ErrorPath: '$.caught.Error' },
        Live: { Type: 'Succeed' },
      },
    });
    const graph = stateMachineGraph('slipway-build-and-deploy', definition);
    expect(graph).toEqual({
      name: 'slipway-build-and-deploy',
      startAt: 'Verify ticket',
      states: [
        { name: 'Verify ticket', type: 'Task', next: ['Preview?', 'Ticket refused'], onError: ['Ticket refused'] },
        { name: 'Preview?', type: 'Choice', next: ['Release', 'Live'] },
        { name: 'Release', type: 'Task', next: ['Live', 'Ticket refused'], onError: ['Ticket refused'] },
        { name: 'Ticket refused', type: 'Fail', next: [], end: true },
        { name: 'Live', type: 'Succeed', next: [], end: true },
      ],
    });
    expect(JSON.stringify(graph)).not.toContain('arn:');
    expect(stateMachineGraph('x', 'not json')).toBeUndefined();
  });
});
