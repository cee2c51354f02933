import * as v from 'valibot';
import { summariseCause, summariseError } from '../lib/failure-summary.js';
import { instrumented } from '../lib/observability.js';

const FailureInput = v.object({
  failure: v.object({ state: v.string(), error: v.optional(v.unknown()), cause: v.optional(v.unknown()) }),
});

export interface RecordedFailure {
  state: string;
  error: string;
  cause: string;
}

/**
 * *Summarise failure*, between a caught failure and *Record failure* in every workflow: what is
 * recorded on the deployment or project (and what the execution fails with) is the summary of the
 * cause, never the raw one (a failed Batch job's cause is its job description, credentials
 * included). It reads and writes nothing and holds no rights, so it takes no ticket: only the
 * failure. If it fails, the workflow records a generic cause instead (workflows/steps.ts).
 */
async function summariseFailure(event: unknown): Promise<RecordedFailure> {
  const parsed = v.safeParse(FailureInput, event);
  if (!parsed.success)
    throw new Error(`summarise input field ${v.getDotPath(parsed.issues[0]) ?? '(root)'} is invalid: ${parsed.issues[0].message}`);
  const { state, error, cause } = parsed.output.failure;
  return { state: state.slice(0, 80), error: summariseError(error) || 'Error', cause: summariseCause(cause) || 'no cause given' };
}

export const handler = instrumented('summarise-failure', summariseFailure);
