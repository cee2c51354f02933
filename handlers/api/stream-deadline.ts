import type { Context } from 'hono';

/**
 * What a stream keeps back from its Lambda's time limit: the last page of chunks, the `reconnect`
 * event and the runtime's close of the response all fit in it.
 */
export const STREAM_END_MARGIN_MS = 5_000;
/** The shortest stream: clients reopen at once after a `reconnect`, so a stream never ends sooner. */
const MIN_STREAM_MS = 1_000;

interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

function isLambdaContext(value: unknown): value is LambdaContextLike {
  return typeof (value as Partial<LambdaContextLike> | undefined)?.getRemainingTimeInMillis === 'function';
}

/**
 * When a stream served by this request must end so that its client resumes before the Lambda that
 * runs it is stopped (the log-stream function's 900 s, the buffered API function's 29 s), as a
 * Date.now() instant; undefined when no Lambda runs the request (the local platform's server).
 */
export function streamDeadline(c: Context): number | undefined {
  const env = c.env as { lambdaContext?: unknown; context?: unknown } | undefined;
  // hono/aws-lambda hands the Lambda context over as `lambdaContext` (handle) or `context` (streamHandle).
  const context = [env?.lambdaContext, env?.context].find(isLambdaContext);
  if (!context) return undefined;
  return Date.now() + Math.max(MIN_STREAM_MS, context.getRemainingTimeInMillis() - STREAM_END_MARGIN_MS);
}
