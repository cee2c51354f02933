import * as v from 'valibot';
import { instrumented } from '../lib/observability.js';
import { giveStackTurn, stackTurnHolder, takeStackTurn } from '../lib/table/stack-turn.js';
import { PROJECT_NAME_PATTERN } from '../lib/names.js';
import { openState, StepInput } from './state.js';

/**
 * How long a turn is held at most: the longest a stack update may be awaited (workflows/steps.ts,
 * 180 polls of 5 s) and a Release, with room. Only an execution stopped while holding the turn
 * ever lets it run out.
 */
export const STACK_TURN_LEASE_SECONDS = 20 * 60;
/** How long an execution waits for the turn before it fails: two leases, i.e. two stuck holders in a row. */
export const STACK_TURN_MAX_WAIT_SECONDS = 2 * STACK_TURN_LEASE_SECONDS;

const TurnInput = v.looseObject({
  action: v.picklist(['take', 'give']),
  state: v.looseObject({ stackTurn: v.optional(v.looseObject({ waitingSince: v.optional(v.string()) })) }),
});

/**
 * The template rollout's turn request (workflows/template-rollout.ts): the rollout is started by the
 * platform or an operator, never for a user, so it has no ticket; its definition sends this constant
 * operation and the project comes from the table's list, not from anyone's input.
 */
const RolloutTurn = v.looseObject({
  operation: v.literal('template-rollout'),
  state: v.looseObject({ project: v.pipe(v.string(), v.regex(PROJECT_NAME_PATTERN)) }),
});

/** The project whose turn is asked for: a pipeline execution's ticket names it, the rollout's list does. */
async function turnProject(event: unknown): Promise<string> {
  const rollout = v.safeParse(RolloutTurn, event);
  if (rollout.success) return rollout.output.state.project;
  return (await openState(event, ['build-deploy', 'rollback'])).state.project;
}

export type StackTurn = { held: true } | { held: false; waitingSince: string; holder?: string };

function busy(message: string): Error {
  return Object.assign(new Error(message), { name: 'StackBusy' });
}

/**
 * *Take project stack turn* / *Give project stack turn*: one execution at a time changes a project's
 * stack (update, then release what it published). An execution that does not get the turn is told
 * so, with when it began waiting, and the workflow waits and asks again; giving the turn back is a
 * no-op for an execution that does not hold it, so every failure path may give it.
 */
async function stackTurn(event: unknown): Promise<StackTurn | Record<string, never>> {
  const project = await turnProject(event);
  const { executionName } = v.parse(StepInput, event);
  const input = v.parse(TurnInput, event);
  if (input.action === 'give') {
    await giveStackTurn(project, executionName);
    return {};
  }
  const now = new Date();
  if (await takeStackTurn(project, executionName, now, STACK_TURN_LEASE_SECONDS)) return { held: true };
  const { exists, holder } = await stackTurnHolder(project);
  if (!exists) throw busy(`project ${project} no longer exists`);
  const waitingSince = input.state.stackTurn?.waitingSince ?? now.toISOString();
  if (now.getTime() - Date.parse(waitingSince) > STACK_TURN_MAX_WAIT_SECONDS * 1000) {
    throw busy(
      `project ${project}'s stack has been busy since ${waitingSince} (held by ${holder ?? 'another execution'}); waited ${STACK_TURN_MAX_WAIT_SECONDS} s`,
    );
  }
  return { held: false, waitingSince, ...(holder ? { holder } : {}) };
}

export const handler = instrumented('stack-turn', stackTurn);
