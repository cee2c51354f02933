import { layoutGraph } from './layout.js';
import type { ExecutionView, Graph, StateView } from './types.js';

/** A state's status as the page shows it (words, icon and colour, never colour alone). */
export type NodeStatus = 'waiting' | 'running' | 'succeeded' | 'failed' | 'retried' | 'caught' | 'interrupted' | 'stopped' | 'not run';

export interface NodeState {
  status: NodeStatus;
  /** The last run's duration; for a running state, its time so far (given the page's clock). */
  durationMs?: number;
  start?: string;
  /** How often the state ran (loops, polls). */
  runs: number;
  retries?: number;
  error?: string;
  cause?: string;
}

export const STATUS_ICON: Record<NodeStatus, string> = {
  waiting: '○',
  running: '◔',
  succeeded: '✓',
  failed: '✗',
  retried: '↻',
  caught: '↪',
  interrupted: '‖',
  stopped: '■',
  'not run': '–',
};

/** CSS tone per status (see app.css variables). */
export const STATUS_TONE: Record<NodeStatus, 'ok' | 'bad' | 'run' | 'warn' | 'plain'> = {
  waiting: 'plain',
  running: 'run',
  succeeded: 'ok',
  failed: 'bad',
  retried: 'warn',
  caught: 'warn',
  interrupted: 'warn',
  stopped: 'bad',
  'not run': 'plain',
};

function statusOf(view: StateView, executionRunning: boolean): NodeStatus {
  if (view.status === 'entered') return executionRunning ? 'running' : 'stopped';
  return view.status;
}

/**
 * Each state's status from the execution's view: its last run decides (a polling state runs many
 * times); a state that has not run is waiting while the execution runs, and was not run after.
 */
export function nodeStates(execution: ExecutionView, graph: Graph | undefined, now?: number): Map<string, NodeState> {
  const running = execution.status === 'RUNNING';
  const states = new Map<string, NodeState>();
  for (const view of execution.states) {
    const runs = (states.get(view.name)?.runs ?? 0) + 1;
    const status = statusOf(view, running);
    // A running state's time so far, when the page keeps a clock.
    const durationMs =
      view.durationMs ?? (status === 'running' && now !== undefined ? Math.max(0, now - Date.parse(view.start)) : undefined);
    states.set(view.name, {
      status,
      runs,
      start: view.start,
      ...(durationMs !== undefined ? { durationMs } : {}),
      ...(view.retries ? { retries: view.retries } : {}),
      ...(view.error ? { error: view.error } : {}),
      ...(view.cause ? { cause: view.cause } : {}),
    });
  }
  for (const state of graph?.states ?? []) {
    if (!states.has(state.name)) states.set(state.name, { status: running ? 'waiting' : 'not run', runs: 0 });
  }
  return states;
}

/**
 * The state whose failure ended the execution, with its error: the last state that failed, or
 * whose failure was caught (the workflows catch a failing step and record it before they fail).
 */
export function failingState(execution: ExecutionView): StateView | undefined {
  if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') return undefined;
  const failed = [...execution.states].reverse();
  return failed.find((s) => s.status === 'caught' && s.error) ?? failed.find((s) => s.status === 'failed');
}

/** A duration for people: 850 ms, 12.3 s, 2 min 05 s. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** The state to keep in view: the one running now, else the failing one, else the last that ran. */
export function focusState(execution: ExecutionView): string | undefined {
  const failing = failingState(execution);
  if (failing) return failing.name;
  return execution.states.at(-1)?.name;
}

/** The states in the graph's order (layer by layer), or in the order they ran when there is no graph. */
export function stateOrder(execution: ExecutionView, graph: Graph | undefined): string[] {
  if (!graph) return [...new Set(execution.states.map((state) => state.name))];
  return [...layoutGraph(graph).nodes].sort((a, b) => a.layer - b.layer || a.x - b.x).map((node) => node.name);
}
