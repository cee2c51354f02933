import type { Context } from 'hono';

/**
 * What a stream keeps back from its Lambda's time limit: the last page of chunks, the `reconnect`
 * event and the runtime's close of the response all fit in it.
 */
export const STREAM_END_MARGIN_MS = 5_000;
/** The shortest stream: clients reopen at once after a `reconnect`, so a stream never ends sooner. */
const MIN_STREAM_MS = 1_000;
/**
 * The most one response sends before it ends with `reconnect`: the buffered API Lambda's answer is
 * limited to 6 MB and carries this base64-encoded (4/3 of it) in a JSON envelope. A 5 MB build log
 * read from its start then takes two responses; a response always sends at least one chunk.
 */
export const LAMBDA_STREAM_MAX_BYTES = 3 * 1024 * 1024;

/** When a stream must end so that its client resumes, and how much it may send until then. */
export interface StreamLimits {
  /** A Date.now() instant. */
  deadline: number;
  maxBytes: number;
}

interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

function isLambdaContext(value: unknown): value is LambdaContextLike {
  return typeof (value as Partial<LambdaContextLike> | undefined)?.getRemainingTimeInMillis === 'function';
}

/**
 * The limits of a stream served by a Lambda (the log-stream function's 900 s, the buffered API
 * function's 29 s and 6 MB): none when no Lambda runs the request (the local platform's server).
 */
export function streamLimits(c: Context): StreamLimits | undefined {
  const env = c.env as { lambdaContext?: unknown; context?: unknown } | undefined;
  // hono/aws-lambda hands the Lambda context over as `lambdaContext` (handle) or `context` (streamHandle).
  const context = [env?.lambdaContext, env?.context].find(isLambdaContext);
  if (!context) return undefined;
  return {
    deadline: Date.now() + Math.max(MIN_STREAM_MS, context.getRemainingTimeInMillis() - STREAM_END_MARGIN_MS),
    maxBytes: LAMBDA_STREAM_MAX_BYTES,
  };
}
