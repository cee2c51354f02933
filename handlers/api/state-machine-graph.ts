/**
 * The shape of a state machine for drawing it (the dashboard draws an execution's states on it):
 * state names, types and transitions only. The definition itself also names ARNs, tables and
 * parameter paths, none of which a caller needs.
 */
export interface GraphState {
  name: string;
  type: string;
  /** Where the state may go: Next, a Choice's rules and Default, each Catch; in that order, without repeats. */
  next: string[];
  /** Transitions taken only on a caught failure (a subset of `next`). */
  onError?: string[];
  end?: true;
}

export interface StateMachineGraph {
  name: string;
  startAt: string;
  states: GraphState[];
}

interface AslState {
  Type?: unknown;
  Next?: unknown;
  End?: unknown;
  Default?: unknown;
  Choices?: unknown;
  Catch?: unknown;
}

function names(values: unknown[]): string[] {
  return values.filter((value): value is string => typeof value === 'string');
}

function nextsOf(list: unknown): string[] {
  return Array.isArray(list)
    ? names(list.map((entry) => (entry !== null && typeof entry === 'object' ? (entry as { Next?: unknown }).Next : undefined)))
    : [];
}

/** The graph of an ASL definition (a JSON string, as DescribeStateMachine returns it); undefined if it is not one. */
export function stateMachineGraph(name: string, definition: string | undefined): StateMachineGraph | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition ?? '');
  } catch {
    return undefined;
  }
  const asl = parsed as { StartAt?: unknown; States?: unknown };
  if (typeof asl?.StartAt !== 'string' || asl.States === null || typeof asl.States !== 'object') return undefined;
  const states = Object.entries(asl.States as Record<string, AslState>).map(([stateName, state]): GraphState => {
    const onError = [...new Set(nextsOf(state.Catch))];
    const next = [...new Set([...names([state.Next]), ...nextsOf(state.Choices), ...names([state.Default]), ...onError])];
    return {
      name: stateName,
      type: typeof state.Type === 'string' ? state.Type : 'Unknown',
      next,
      ...(onError.length ? { onError } : {}),
      ...(state.End === true || state.Type === 'Succeed' || state.Type === 'Fail' ? { end: true as const } : {}),
    };
  });
  return { name, startAt: asl.StartAt, states };
}
