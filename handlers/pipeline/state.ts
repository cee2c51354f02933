import * as v from 'valibot';
import { DEPLOYMENT_ID_PATTERN, PREVIEW_ALIAS_PATTERN } from '../lib/names.js';
import { ticketKey } from '../lib/ticket-key.js';
import { MAX_PREVIEW_ALIAS_LENGTH } from '../previews/alias.js';
import { TicketError, verifyTicket, type Operation, type TicketClaims } from '../lib/ticket.js';

/** The part of a workflow's state every pipeline handler reads; the rest passes through. */
export const PipelineState = v.looseObject({
  ticket: v.string(),
  project: v.string(),
  deploymentId: v.optional(v.pipe(v.string(), v.regex(DEPLOYMENT_ID_PATTERN))),
  preview: v.optional(v.pipe(v.string(), v.maxLength(MAX_PREVIEW_ALIAS_LENGTH), v.regex(PREVIEW_ALIAS_PATTERN))),
});
export type PipelineState = v.InferOutput<typeof PipelineState>;

/**
 * What every Lambda step is invoked with (workflows/steps.ts `lambdaStep`): the workflow's state and
 * the execution's own name, which the engine fills in from the context object, never from the state.
 */
export const StepInput = v.looseObject({
  executionName: v.pipe(v.string(), v.minLength(1)),
  state: v.unknown(),
});

function invalid(issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): Error {
  return new Error(`pipeline input field ${v.getDotPath(issues[0]) ?? '(root)'} is invalid: ${issues[0].message}`);
}

/**
 * Parses a step's input and verifies its ticket: for `op` (or one of several), the state's project,
 * this execution (the name the engine passed) and the state's deployment (or none, for a project
 * operation). A ticket lifted from another execution of the same project opens nothing. Every
 * handler starts here.
 */
export async function openState(
  event: unknown,
  op: Operation | readonly Operation[],
): Promise<{ state: PipelineState; claims: TicketClaims }> {
  const input = v.safeParse(StepInput, event);
  if (!input.success) throw invalid(input.issues);
  const parsed = v.safeParse(PipelineState, input.output.state);
  if (!parsed.success) throw invalid(parsed.issues);
  const state = parsed.output;
  const claims = await verifyTicket(state.ticket, await ticketKey(), { op, project: state.project });
  if (claims.exe !== input.output.executionName) {
    throw new TicketError(`ticket is for execution ${claims.exe}, not ${input.output.executionName}`);
  }
  if (claims.dep !== state.deploymentId) {
    throw new TicketError(`ticket is for deployment ${claims.dep ?? 'none'}, not ${state.deploymentId ?? 'none'}`);
  }
  // The alias decides which host a release changes: it must be the one the API signed.
  if (state.preview !== claims.pv) {
    throw new Error(`pipeline input field preview (${state.preview ?? 'none'}) is not the one the ticket names (${claims.pv ?? 'none'})`);
  }
  return { state, claims };
}

export function requireDeploymentId(state: PipelineState): string {
  if (!state.deploymentId) throw new Error('pipeline input field deploymentId is missing');
  return state.deploymentId;
}

/** Where a deployment's files live in the project bucket; never reused, never overwritten. */
export function deploymentPrefix(project: string, deploymentId: string): string {
  return `${project}/deployments/${deploymentId}/`;
}
