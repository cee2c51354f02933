import * as v from 'valibot';
import { ticketKey } from '../lib/ticket-key.js';
import { verifyTicket, type Operation, type TicketClaims } from '../lib/ticket.js';

/** The part of a workflow's state every pipeline handler reads; the rest passes through. */
export const PipelineState = v.looseObject({
  ticket: v.string(),
  project: v.string(),
  deploymentId: v.optional(v.pipe(v.string(), v.regex(/^d-[a-z0-9-]{4,40}$/))),
  preview: v.optional(v.pipe(v.string(), v.regex(/^(?!.*--)[a-z0-9](?:[a-z0-9-]{0,56}[a-z0-9])?$/))),
});
export type PipelineState = v.InferOutput<typeof PipelineState>;

/** Parses the state and verifies its ticket for `op` (or one of several) and the state's project: every handler starts here. */
export async function openState(event: unknown, op: Operation | readonly Operation[]): Promise<{ state: PipelineState; claims: TicketClaims }> {
  const parsed = v.safeParse(PipelineState, event);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new Error(`pipeline input field ${v.getDotPath(issue) ?? '(root)'} is invalid: ${issue.message}`);
  }
  const claims = await verifyTicket(parsed.output.ticket, await ticketKey(), { op, project: parsed.output.project });
  // The alias decides which host a release changes: it must be the one the API signed.
  if (parsed.output.preview !== claims.pv) {
    throw new Error(`pipeline input field preview (${parsed.output.preview ?? 'none'}) is not the one the ticket names (${claims.pv ?? 'none'})`);
  }
  return { state: parsed.output, claims };
}

export function requireDeploymentId(state: PipelineState): string {
  if (!state.deploymentId) throw new Error('pipeline input field deploymentId is missing');
  return state.deploymentId;
}

/** Where a deployment's files live in the project bucket; never reused, never overwritten. */
export function deploymentPrefix(project: string, deploymentId: string): string {
  return `${project}/deployments/${deploymentId}/`;
}
