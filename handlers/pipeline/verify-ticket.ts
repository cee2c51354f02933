import * as v from 'valibot';
import { ticketKey } from '../lib/ticket-key.js';
import { OPERATIONS, verifyTicket, TicketError } from '../lib/ticket.js';
import { instrumented } from '../lib/observability.js';

const VerifyInput = v.object({
  ticket: v.string(),
  project: v.string(),
  operation: v.picklist(OPERATIONS),
  executionName: v.string(),
});

/** First step of every workflow: the ticket must be genuine, current, for this operation, project and execution. */
async function verifyTicketStep(event: unknown): Promise<{ op: string; project: string; user: string; expiresAt: string }> {
  const parsed = v.safeParse(VerifyInput, event);
  if (!parsed.success) throw new TicketError(`verify input field ${v.getDotPath(parsed.issues[0]) ?? '(root)'} is invalid`);
  const input = parsed.output;
  const claims = await verifyTicket(input.ticket, await ticketKey(), { op: input.operation, project: input.project });
  if (claims.exe !== input.executionName) {
    throw new TicketError(`ticket is for execution ${claims.exe}, not ${input.executionName}`);
  }
  return { op: claims.op, project: claims.project, user: claims.sub, expiresAt: new Date(claims.exp * 1000).toISOString() };
}

export const handler = instrumented('verify-ticket', verifyTicketStep);
