import * as v from 'valibot';
import { ticketKey } from '../lib/ticket-key.js';
import { OPERATIONS, verifyTicket, TicketError } from '../lib/ticket.js';
import { instrumented } from '../lib/observability.js';
import { DEFAULT_PIPELINE_LIMITS, type PipelineLimits, runnerBuildTimeoutSeconds } from '../lib/limits.js';
import { currentPlatform } from '../lib/bindings/platform.js';

const VerifyInput = v.object({
  ticket: v.string(),
  project: v.string(),
  operation: v.picklist(OPERATIONS),
  executionName: v.string(),
});

export interface VerifiedClaims {
  op: string;
  project: string;
  user: string;
  expiresAt: string;
  /** The signed limits (the default subscription's when the ticket carries none). */
  limits: PipelineLimits;
  /** The same limits as the strings later states pass on (Batch environment, CloudFormation parameters); the build's cut to the platform's cap. */
  buildTimeoutSeconds: string;
  stack: { memorySize: string; functionTimeout: string };
}

/**
 * First step of every workflow: the ticket must be genuine, current, for this operation, project and
 * execution. Its result (at `$.claims`) is what later states take the limits from: only signed values.
 */
async function verifyTicketStep(event: unknown): Promise<VerifiedClaims> {
  const parsed = v.safeParse(VerifyInput, event);
  if (!parsed.success) throw new TicketError(`verify input field ${v.getDotPath(parsed.issues[0]) ?? '(root)'} is invalid`);
  const input = parsed.output;
  const claims = await verifyTicket(input.ticket, await ticketKey(), { op: input.operation, project: input.project });
  if (claims.exe !== input.executionName) {
    throw new TicketError(`ticket is for execution ${claims.exe}, not ${input.executionName}`);
  }
  const limits = claims.limits ?? DEFAULT_PIPELINE_LIMITS;
  return {
    op: claims.op,
    project: claims.project,
    user: claims.sub,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    limits,
    buildTimeoutSeconds: String(runnerBuildTimeoutSeconds(limits.buildTimeoutSeconds, currentPlatform().buildTimeoutCap)),
    stack: { memorySize: String(limits.functionMemoryMb), functionTimeout: String(limits.functionTimeoutSeconds) },
  };
}

export const handler = instrumented('verify-ticket', verifyTicketStep);
