type State = Record<string, unknown> & { Type?: string; Resource?: string; Parameters?: Record<string, unknown> };

/** Every Task state of an ASL definition (JSON text), nested Parallel branches and Map processors included, with its name. */
export function taskStates(definition: string): Array<State & { name: string; Resource: string }> {
  const visit = (states: Record<string, State>): Array<State & { name: string; Resource: string }> =>
    Object.entries(states).flatMap(([name, state]) => [
      ...(state.Type === 'Task' ? [{ ...state, name, Resource: String(state.Resource) }] : []),
      ...((state.Branches ?? []) as Array<{ States: Record<string, State> }>).flatMap((branch) => visit(branch.States)),
      ...(['Iterator', 'ItemProcessor'] as const).flatMap((key) => {
        const inner = state[key] as { States: Record<string, State> } | undefined;
        return inner ? visit(inner.States) : [];
      }),
    ]);
  return visit((JSON.parse(definition) as { States: Record<string, State> }).States);
}
