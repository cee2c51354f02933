import type { ExecutionRecord } from './execution-store.js';
import { someState, type AslState } from './nested-states.js';

/** The error an execution ends with when its interrupted state could not be run again safely. */
export const PLATFORM_RESTARTED_ERROR = 'Slipway.PlatformRestarted';
export const PLATFORM_RESTARTED_CAUSE = 'platform restarted';

/**
 * A platform that keeps dying in the same state must not redrive it forever: after this many
 * redrives the state is treated as unsafe to run again.
 */
export const MAX_REDRIVES = 3;

/** Where an interrupted execution stood: the last state it entered, with the input it had. */
export interface InterruptedAt {
  state: string;
  input: unknown;
}

/** What reconcile does with a RUNNING execution found on start. */
export type ResumePlan =
  | { kind: 'resume'; from: string; input: unknown }
  | { kind: 'fail-through-catch'; interrupted: string; from: string; input: unknown }
  | { kind: 'fail'; interrupted: string | undefined };

/**
 * The last top-level state the execution entered, from its persisted history. The engine writes
 * every event before the next state starts, so this is the state that was running (or had just
 * finished: running it again is the same decision either way). The states of a Map iteration are
 * passed over: the Map itself is what runs again.
 */
export function interruptedAt(record: ExecutionRecord, topLevel: Record<string, unknown>): InterruptedAt | undefined {
  for (let i = record.events.length - 1; i >= 0; i--) {
    const details = record.events[i]?.stateEnteredEventDetails as { name?: string; input?: string } | undefined;
    if (details?.name !== undefined && details.name in topLevel) {
      return { state: details.name, input: JSON.parse(details.input ?? 'null') as unknown };
    }
  }
  return undefined;
}

/**
 * Whether a state may simply run again with the input it had. Every state of Slipway's workflows
 * may, except a Batch job: the build ran in a sandbox that died with the platform, its runner
 * already consumed the one-time `env.json` that *Prepare build* wrote, and a build is minutes of
 * untrusted work — so an interrupted build ends FAILED (`admin retry` starts a clean one).
 * Lambda steps, DynamoDB SETs, CloudFormation calls, Pass, Choice and Wait are idempotent; a Map
 * runs all its iterations again, so it may unless one of its states may not (the template rollout's
 * may: an upgraded stack is skipped, a stack turn already held is taken again).
 */
export function mayRunAgain(state: AslState): boolean {
  return !someState(state, (s) => s.Type === 'Task' && s.Resource?.startsWith('arn:aws:states:::batch:') === true);
}

/** Writes `value` at a Catch's ResultPath (`$`, `$.a.b`, or null to discard), as Step Functions does. */
function withResult(input: unknown, resultPath: string | null | undefined, value: unknown): unknown {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return value;
  const path = /^\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/.exec(resultPath)?.[1];
  if (!path) throw new Error(`unsupported ResultPath ${resultPath}`);
  const root = structuredClone((input ?? {}) as Record<string, unknown>);
  const keys = path.slice(1).split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1) as string] = value;
  return root;
}

/**
 * Decides how an execution that was RUNNING when the platform died goes on: from the state it was
 * in, or — when that state may not run again — through that state's own Catch, exactly as if it
 * had failed with `platform restarted`, so the workflow records the failure itself (deployment
 * FAILED with failedState/error/cause, GitHub told). Without a Catch it simply ends FAILED.
 */
export function planResume(
  record: ExecutionRecord,
  definition: { StartAt: string; States: Record<string, AslState> },
  redrives: number,
): ResumePlan {
  const at = interruptedAt(record, definition.States) ?? { state: definition.StartAt, input: JSON.parse(record.input) as unknown };
  const state = definition.States[at.state];
  if (!state) return { kind: 'fail', interrupted: at.state };
  if (mayRunAgain(state) && redrives < MAX_REDRIVES) return { kind: 'resume', from: at.state, input: at.input };
  const catcher = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL') || c.ErrorEquals.includes(PLATFORM_RESTARTED_ERROR));
  if (!catcher || !definition.States[catcher.Next]) return { kind: 'fail', interrupted: at.state };
  try {
    const input = withResult(at.input, catcher.ResultPath, { Error: PLATFORM_RESTARTED_ERROR, Cause: PLATFORM_RESTARTED_CAUSE });
    return { kind: 'fail-through-catch', interrupted: at.state, from: catcher.Next, input };
  } catch {
    return { kind: 'fail', interrupted: at.state };
  }
}
