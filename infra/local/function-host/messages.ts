/**
 * The messages between the function host (parent) and a function worker (child), over the
 * worker's IPC channel (advanced serialization: body chunks travel as bytes, not re-encoded). One
 * module for both sides, so they cannot drift.
 *
 *   parent → worker   { assign: { handlerFile, … } }  once, first: the deployment this worker serves
 *                     { id, event, timeoutMs }
 *                     { id, cancel: true }           the viewer left a streamed response, or its time is up
                     { id, flow: 'pause' | 'resume' }  the viewer reads slower than the function writes
 *   worker → parent   { ready: true } | { initError }  once, after importing the handler module
 *                     { id, result }                 a buffered handler's (normalized) result
 *                     { id, stream: { start?: contentType, bytes?, end?: true } }+
 *                                                    a streaming handler's writes, gathered per turn of
 *                                                    its event loop: the start (first message only), the
 *                                                    bytes (a prelude first, see
 *                                                    router/lambda/http-integration-stream.ts), the end
 *                     { id, error: { name, message } }  the handler threw, or could not be loaded
 */
import * as v from 'valibot';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const HeaderValue = v.union([v.string(), v.number(), v.boolean()]);

/**
 * Gives a started worker its deployment: a worker starts without one (it may be a spare, started
 * ahead of any request), imports nothing of a tenant's before this, and serves only this one after.
 */
export const AssignRequestSchema = v.object({
  assign: v.object({
    /** The handler module, inside the worker's own (read-only) folder. */
    handlerFile: v.pipe(v.string(), v.minLength(1)),
    functionName: v.string(),
    functionVersion: v.string(),
    memoryMb: v.pipe(v.number(), v.integer(), v.minValue(1)),
    /** The deployment's runtime variables (secrets decrypted), set before the handler is imported; never in any argv. */
    env: v.record(v.string(), v.string()),
  }),
});

export const InvokeRequestSchema = v.object({
  id: v.pipe(v.number(), v.integer()),
  event: v.looseObject({}),
  /** The per-invocation limit, for `context.getRemainingTimeInMillis()`. */
  timeoutMs: v.pipe(v.number(), v.minValue(0)),
});

export const FunctionResultSchema = v.object({
  statusCode: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599)),
  headers: v.optional(v.record(v.string(), HeaderValue)),
  multiValueHeaders: v.optional(v.record(v.string(), v.array(HeaderValue))),
  body: v.optional(v.string()),
  isBase64Encoded: v.optional(v.boolean()),
  cookies: v.optional(v.array(v.string())),
});

export const CancelRequestSchema = v.object({ id: v.pipe(v.number(), v.integer()), cancel: v.literal(true) });
export const FlowRequestSchema = v.object({ id: v.pipe(v.number(), v.integer()), flow: v.picklist(['pause', 'resume']) });

const ErrorSchema = v.object({ name: v.string(), message: v.string() });
const Id = v.pipe(v.number(), v.integer());

export const InvokeResponseSchema = v.union([
  v.object({ id: Id, result: FunctionResultSchema }),
  v.object({ id: Id, error: ErrorSchema }),
  v.object({
    id: Id,
    stream: v.object({
      start: v.optional(v.string()),
      bytes: v.optional(v.custom<Uint8Array>((value) => value instanceof Uint8Array, 'bytes must be bytes')),
      end: v.optional(v.literal(true)),
    }),
  }),
]);

/** Sent once, after the worker imported the handler module (Lambda's init phase) or failed to. */
export const InitMessageSchema = v.union([v.object({ ready: v.literal(true) }), v.object({ initError: ErrorSchema })]);

export const WorkerMessageSchema = v.union([InitMessageSchema, InvokeResponseSchema]);

export type AssignRequest = v.InferOutput<typeof AssignRequestSchema>;

export interface InvokeRequest {
  id: number;
  event: APIGatewayProxyEventV2;
  timeoutMs: number;
}

export interface CancelRequest {
  id: number;
  cancel: true;
}

export interface FlowRequest {
  id: number;
  flow: 'pause' | 'resume';
}

export type InvokeResponse = v.InferOutput<typeof InvokeResponseSchema>;
export type InitMessage = v.InferOutput<typeof InitMessageSchema>;
export type WorkerMessage = v.InferOutput<typeof WorkerMessageSchema>;

export function parseAssignRequest(message: unknown): AssignRequest | undefined {
  const parsed = v.safeParse(AssignRequestSchema, message);
  return parsed.success ? parsed.output : undefined;
}

export function parseInvokeRequest(message: unknown): InvokeRequest | undefined {
  const parsed = v.safeParse(InvokeRequestSchema, message);
  return parsed.success ? (parsed.output as unknown as InvokeRequest) : undefined;
}

export function parseFlowRequest(message: unknown): FlowRequest | undefined {
  const parsed = v.safeParse(FlowRequestSchema, message);
  return parsed.success ? parsed.output : undefined;
}

export function parseCancelRequest(message: unknown): CancelRequest | undefined {
  const parsed = v.safeParse(CancelRequestSchema, message);
  return parsed.success ? parsed.output : undefined;
}

/** Checks a message from a worker; `issue` says what is wrong with one that does not fit. */
export function parseWorkerMessage(message: unknown): { ok: true; message: WorkerMessage } | { ok: false; issue: string } {
  const parsed = v.safeParse(WorkerMessageSchema, message);
  if (parsed.success) return { ok: true, message: parsed.output };
  const issue = parsed.issues[0];
  const path = issue?.path?.map((item) => String(item.key)).join('.') ?? '';
  return { ok: false, issue: `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid message'}` };
}

/**
 * What Lambda makes of a handler's return value for an HTTP API / function URL: a structured
 * result (one with a numeric `statusCode`) is taken as is; anything else becomes a 200 JSON body.
 */
export function normalizeResult(value: unknown): APIGatewayProxyStructuredResultV2 {
  if (value !== null && typeof value === 'object' && typeof (value as { statusCode?: unknown }).statusCode === 'number') {
    return value as APIGatewayProxyStructuredResultV2;
  }
  if (value === undefined) return { statusCode: 200, body: '' };
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof value === 'string' ? value : JSON.stringify(value),
  };
}
