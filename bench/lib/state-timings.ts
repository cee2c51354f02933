import type { ExecutionRecord } from '../../infra/local/engine/execution-store.js';

/** How long one state of an execution ran, from its history's entered and exited events. */
export interface StateTiming {
  state: string;
  ms: number;
}

/**
 * The states of an execution in the order they ran, each with the time from its StateEntered to its
 * StateExited event; a state entered more than once (a poll loop) is summed under its name.
 */
export function stateTimings(record: ExecutionRecord): StateTiming[] {
  const entered = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const event of record.events) {
    const entry = (event.stateEnteredEventDetails ?? event.stateExitedEventDetails) as { name: string } | undefined;
    if (!entry) continue;
    const at = Date.parse(event.timestamp);
    if (event.stateEnteredEventDetails) entered.set(entry.name, at);
    else totals.set(entry.name, (totals.get(entry.name) ?? 0) + at - (entered.get(entry.name) ?? at));
  }
  return [...totals].map(([state, ms]) => ({ state, ms }));
}
