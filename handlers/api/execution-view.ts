import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { summariseCause, summariseError } from '../lib/failure-summary.js';

/**
 * What an API caller sees of a pipeline execution, whatever their role: a view built from the raw
 * history, never the history itself. Raw execution data carries the ticket (the input), the build's
 * credentials (between *Scope build credentials* and *Build*) and raw failure causes; the view keeps
 * per state its name, type, status, times, a summarised error and cause, and only the output fields
 * an allow list names. Anything not listed is left out.
 */

export type StateStatus = 'entered' | 'succeeded' | 'failed' | 'retried' | 'caught' | 'interrupted';

export interface StateView {
  name: string;
  /** The ASL state type: Task, Pass, Choice, Wait, Succeed, Fail. */
  type: string;
  /**
   * entered: running now (or when the execution was stopped); succeeded; retried: succeeded after
   * `retries` failed attempts; caught: failed and its Catch went on (to recording the failure);
   * failed: its failure ended the execution; interrupted: the platform stopped while it ran, and
   * the execution was redriven (the state's next entry follows).
   */
  status: StateStatus;
  start: string;
  end?: string;
  durationMs?: number;
  retries?: number;
  error?: string;
  cause?: string;
  /** Allow-listed fields of the state's result (see `OUTPUT_SUMMARIES`); absent when the state has none. */
  summary?: Record<string, string | number>;
}

/** The execution's own input and output, reduced to what identifies the work. */
export interface ExecutionDataView {
  project?: string;
  deploymentId?: string;
  preview?: string;
  sourceKey?: string;
  github?: { repository?: string; commit?: string };
  /** A fork's preview, built without the project's secrets until an owner approves it. */
  withholdSecrets?: true;
}

export interface ExecutionView {
  name?: string;
  stateMachine?: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  durationMs?: number;
  /** How often the execution was redriven after the platform stopped while it ran. */
  redriveCount?: number;
  input?: ExecutionDataView;
  output?: ExecutionDataView;
  error?: string;
  cause?: string;
  states: StateView[];
}

/**
 * Per state name: the result fields a caller may see, as [label, path in the state's output].
 * A state not listed shows no summary. Values must also look like ids (`SAFE_VALUE`) to be kept.
 */
export const OUTPUT_SUMMARIES: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  'Fetch source': [['sourceKey', 'source.key']],
  Build: [['jobId', 'build.jobId']],
  'Validate output': [
    ['digest', 'output.sha256'],
    ['files', 'output.files'],
  ],
  Release: [
    ['live', 'release.live'],
    ['previous', 'release.previous'],
    ['preview', 'release.preview'],
  ],
  'Check target': [['deploymentId', 'target.deploymentId']],
};

/** An id, key, digest or small count: nothing that could hold free text. */
const SAFE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,199}$/;

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function safe(value: unknown): string | number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return typeof value === 'string' && SAFE_VALUE.test(value) ? value : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The allow-listed summary of a state's output, or undefined when nothing is allowed or present. */
export function outputSummary(stateName: string, output: string | undefined): Record<string, string | number> | undefined {
  const picks = OUTPUT_SUMMARIES[stateName];
  if (!picks) return undefined;
  const parsed = parseJson(output);
  const summary: Record<string, string | number> = {};
  for (const [label, path] of picks) {
    const value = safe(at(parsed, path));
    if (value !== undefined) summary[label] = value;
  }
  return Object.keys(summary).length ? summary : undefined;
}

/** The execution's input or output reduced to project, deployment, preview, source key, GitHub repository/commit and whether secrets were withheld. */
export function executionDataView(json: string | undefined): ExecutionDataView | undefined {
  const data = parseJson(json);
  if (data === null || typeof data !== 'object') return undefined;
  const pick = (path: string) => {
    const value = safe(at(data, path));
    return typeof value === 'string' ? value : undefined;
  };
  const view: ExecutionDataView = {};
  const fields = { project: pick('project'), deploymentId: pick('deploymentId'), preview: pick('preview'), sourceKey: pick('source.key') };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) view[key as keyof typeof fields] = value;
  const repository = pick('github.repository');
  const commit = pick('github.commit');
  if (repository !== undefined || commit !== undefined)
    view.github = { ...(repository !== undefined ? { repository } : {}), ...(commit !== undefined ? { commit } : {}) };
  if (at(data, 'withholdSecrets') === true) view.withholdSecrets = true;
  return view;
}

function iso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function duration(start: string | undefined, end: string | undefined): number | undefined {
  return start !== undefined && end !== undefined ? Date.parse(end) - Date.parse(start) : undefined;
}

interface FailureDetails {
  error?: string;
  cause?: string;
}

/** The failure details of any `…Failed` / `…TimedOut` event of a task (Task, Lambda, activity; both back ends). */
function failureOf(event: HistoryEvent): FailureDetails | undefined {
  const details =
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.activityFailedEventDetails ??
    event.activityTimedOutEventDetails ??
    event.taskSubmitFailedEventDetails ??
    event.taskStartFailedEventDetails ??
    event.lambdaFunctionScheduleFailedEventDetails ??
    event.lambdaFunctionStartFailedEventDetails;
  if (details) return details;
  if (event.type && /(?:Failed|TimedOut)$/.test(event.type) && !event.type.startsWith('Execution')) return {};
  return undefined;
}

interface OpenState {
  view: StateView;
  failure?: FailureDetails;
}

function applyFailure(view: StateView, failure: FailureDetails): void {
  const error = summariseError(failure.error);
  const cause = summariseCause(failure.cause);
  if (error) view.error = error;
  if (cause) view.cause = cause;
}

function close(open: OpenState, status: StateStatus, end: string | undefined): void {
  open.view.status = status;
  if (end !== undefined) {
    open.view.end = end;
    const ms = duration(open.view.start, end);
    if (ms !== undefined) open.view.durationMs = ms;
  }
  if (open.failure) applyFailure(open.view, open.failure);
}

/**
 * The states of an execution in the order they ran, from its history events (oldest first). The
 * workflows run one state at a time (no Parallel or Map), so a failure, retry or exit belongs to the
 * state entered last: that is how AWS history reads too, where task events do not name their state.
 */
export function stateViews(events: readonly HistoryEvent[]): StateView[] {
  const states: StateView[] = [];
  let open: OpenState | undefined;
  for (const event of events) {
    // A string, not the SDK's union: the local engine also reports TaskRetried and TaskCaught.
    const type: string = event.type ?? '';
    const timestamp = iso(event.timestamp);
    const entered = /^(\w+)StateEntered$/.exec(type);
    if (entered && event.stateEnteredEventDetails?.name) {
      const name = event.stateEnteredEventDetails.name;
      if (open && open.view.name === name && open.failure) {
        // The same state again after a failure: a retry.
        open.view.retries = (open.view.retries ?? 0) + 1;
        open.failure = undefined;
        continue;
      }
      if (open) close(open, open.failure ? 'caught' : open.view.retries ? 'retried' : 'succeeded', timestamp);
      open = { view: { name, type: entered[1] as string, status: 'entered', start: timestamp ?? '' } };
      states.push(open.view);
      continue;
    }
    if (type === 'ExecutionRedriven') {
      // The platform died while this state ran; the redrive enters it (or its Catch) afresh.
      if (open) close(open, 'interrupted', timestamp);
      open = undefined;
      continue;
    }
    if (/^\w+StateExited$/.test(type) && open) {
      close(open, open.failure ? 'caught' : open.view.retries ? 'retried' : 'succeeded', timestamp);
      const summary = open.view.status === 'caught' ? undefined : outputSummary(open.view.name, event.stateExitedEventDetails?.output);
      if (summary) open.view.summary = summary;
      open = undefined;
      continue;
    }
    if (!open) continue;
    const failure = failureOf(event);
    if (failure) {
      open.failure = failure;
    } else if (type === 'TaskRetried' || (open.failure && /(?:Scheduled|Submitted)$/.test(type))) {
      // A retry: AWS schedules the task again within the state; the local engine reports it as such.
      open.view.retries = (open.view.retries ?? 0) + 1;
      open.failure = undefined;
    } else if (type === 'TaskCaught') {
      close(open, 'caught', timestamp);
      open = undefined;
    } else if (type === 'ExecutionFailed') {
      // A Fail state, or a failure nothing caught, ends here.
      open.failure ??= event.executionFailedEventDetails ?? {};
      close(open, 'failed', timestamp);
      open = undefined;
    } else if (type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      open.failure ??= { error: type === 'ExecutionAborted' ? 'States.Aborted' : 'States.Timeout' };
      close(open, 'failed', timestamp);
      open = undefined;
    } else if (type === 'ExecutionSucceeded') {
      close(open, 'succeeded', timestamp);
      open = undefined;
    }
  }
  return states;
}

/** The whole view: the execution's status, times, reduced input/output, summarised error and cause, and its states. */
export function executionView(described: DescribeExecutionOutput, events: readonly HistoryEvent[]): ExecutionView {
  const startDate = iso(described.startDate);
  const stopDate = iso(described.stopDate);
  const ms = duration(startDate, stopDate);
  const error = summariseError(described.error);
  const cause = summariseCause(described.cause);
  const input = executionDataView(described.input);
  const output = executionDataView(described.output);
  const stateMachine = described.stateMachineArn?.split(':').at(-1);
  const redriveCount = Math.max(
    described.redriveCount ?? 0,
    events.filter((event) => (event.type as string | undefined) === 'ExecutionRedriven').length,
  );
  return {
    ...(described.name !== undefined ? { name: described.name } : {}),
    ...(stateMachine ? { stateMachine } : {}),
    status: described.status ?? 'UNKNOWN',
    ...(startDate !== undefined ? { startDate } : {}),
    ...(stopDate !== undefined ? { stopDate } : {}),
    ...(ms !== undefined ? { durationMs: ms } : {}),
    ...(redriveCount > 0 ? { redriveCount } : {}),
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    ...(error ? { error } : {}),
    ...(cause ? { cause } : {}),
    states: stateViews(events),
  };
}
