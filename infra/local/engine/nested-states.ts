/** A state of an ASL definition, as far as the local engine reads it. */
export interface AslState {
  Type: string;
  Resource?: string;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string | null }>;
  /** A Map state's iteration (Iterator is its older name). */
  ItemProcessor?: { States?: Record<string, AslState> };
  Iterator?: { States?: Record<string, AslState> };
  /** A Parallel state's branches. */
  Branches?: Array<{ States?: Record<string, AslState> }>;
}

/** One state of a definition, nested or not, with the top-level state that runs it (itself at the top). */
export interface PlacedState {
  name: string;
  state: AslState;
  topLevel: string;
}

function nestedStates(state: AslState): Array<Record<string, AslState>> {
  const processor = state.ItemProcessor ?? state.Iterator;
  return [...(processor?.States ? [processor.States] : []), ...(state.Branches ?? []).flatMap((b) => (b.States ? [b.States] : []))];
}

/**
 * Every state of a definition, those inside Map iterations and Parallel branches too (state names
 * are unique across a whole state machine, nested ones included). The interpreter runs a nested
 * state by its name like a top-level one; the engine's history, crash gating and redrive work per
 * top-level state, so each nested state is placed under the top-level state it runs in.
 */
export function placedStates(definition: { States?: Record<string, AslState> }): PlacedState[] {
  const placed: PlacedState[] = [];
  const walk = (states: Record<string, AslState>, topLevel: string | undefined) => {
    for (const [name, state] of Object.entries(states)) {
      const owner = topLevel ?? name;
      placed.push({ name, state, topLevel: owner });
      for (const nested of nestedStates(state)) walk(nested, owner);
    }
  };
  walk(definition.States ?? {}, undefined);
  return placed;
}

/** Whether any state of `state` (itself or one nested in it) matches `test`. */
export function someState(state: AslState, test: (state: AslState) => boolean): boolean {
  return test(state) || nestedStates(state).some((states) => Object.values(states).some((nested) => someState(nested, test)));
}
