/**
 * One tenant function version, as a worker process of the function host (what a Lambda execution
 * environment is on AWS). Started by host.ts in a sandbox as `node worker.js`, with an IPC channel
 * and its function folder as cwd, before or when its deployment is known: the host's first message
 * (`{ assign }`) names the handler and carries the deployment's variables.
 *
 * Then imports the handler module once (and sends `{ ready: true }` or `{ initError }`), then answers each `{ id, event }` message from the host with
 * `{ id, result }` or `{ id, error }`, or for a streaming handler (`awslambda.streamifyResponse`)
 * with the stream's messages (see messages.ts).
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { finished } from 'node:stream/promises';
import { installAwsLambdaGlobal, isStreamingHandler } from './awslambda-global.js';
import {
  type AssignRequest,
  normalizeResult,
  parseAssignRequest,
  parseCancelRequest,
  parseFlowRequest,
  parseInvokeRequest,
  type InvokeResponse,
  type WorkerMessage,
} from './messages.js';
import { Outbox, unbatch } from './outbox.js';
import { WorkerResponseStream } from './response-stream.js';

// Lambda's runtime defines `awslambda` before the handler module loads; so does this one.
installAwsLambdaGlobal();
// Node loads its fetch classes (undici: Request, Response, Headers) on first use, about 17 ms of
// CPU, and a SvelteKit handler's first request uses them. Loaded now, before any deployment is
// known: in a spare worker that is off the cold start's path.
new Response('');
new Request('http://localhost/', { headers: { accept: 'text/html' } });

type Handler = (event: APIGatewayProxyEventV2, context: Context) => unknown;
type StreamingHandler = (event: APIGatewayProxyEventV2, responseStream: WorkerResponseStream, context: Context) => unknown;

/** The deployment this worker serves, from the host's first message. */
let assigned: AssignRequest['assign'] | undefined;
let loading: Promise<Handler> | undefined;

function loadHandler(): Promise<Handler> {
  if (!assigned) return Promise.reject(new Error('the function worker has no deployment assigned yet'));
  const { handlerFile } = assigned;
  loading ??= (async () => {
    const module = (await import(pathToFileURL(handlerFile).href)) as { handler?: unknown };
    if (typeof module.handler !== 'function') {
      const error = new Error(`${handlerFile} does not export a function named handler`);
      error.name = 'Runtime.HandlerNotFound';
      throw error;
    }
    return module.handler as Handler;
  })();
  return loading;
}

function lambdaContext(timeoutMs: number): Context {
  const { functionName, functionVersion, memoryMb } = assigned ?? {
    functionName: 'slipway-function',
    functionVersion: '$LATEST',
    memoryMb: 512,
  };
  const deadline = Date.now() + timeoutMs;
  const unsupported = (): void => {
    throw new Error('callback-style completion is not supported: return a promise from the handler');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}:${functionVersion}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${functionVersion}/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message };
  return { name: 'Error', message: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)) };
}

/** What goes to the host, gathered per turn of the event loop (see outbox.ts). */
const outbox = new Outbox((message, sent) => {
  if (process.send) process.send(message, undefined, {}, (error) => sent(error));
  else sent(new Error('the function worker has no channel to its host'));
});

function reply(message: WorkerMessage): void {
  outbox.send(message);
}

/** The response streams of the invocations under way, so the host can cancel one. */
const streams = new Map<number, WorkerResponseStream>();

async function invokeStreaming(
  handler: StreamingHandler,
  request: { id: number; event: APIGatewayProxyEventV2; timeoutMs: number },
): Promise<void> {
  const stream = new WorkerResponseStream(request.id, outbox);
  // A write after the host closed the stream fails that write; it must not end the whole worker.
  stream.on('error', () => undefined);
  streams.set(request.id, stream);
  try {
    await handler(request.event, stream, lambdaContext(request.timeoutMs));
    // The invocation is over when the handler's promise settles; what it left open ends with it.
    if (!stream.writableEnded) stream.end();
    await finished(stream);
  } finally {
    streams.delete(request.id);
  }
}

process.on('message', (received: unknown) => {
  for (const raw of unbatch(received)) take(raw);
});

/** One message from the host: the assignment of a deployment, an invocation, a cancel, or flow control of a stream. */
function take(raw: unknown): void {
  const assignment = parseAssignRequest(raw);
  if (assignment) {
    if (assigned) return; // a worker serves one deployment for its whole life
    assigned = assignment.assign;
    // What `ps` on the host shows for this worker from now on: which function it runs, as its argv did
    // when a worker was started for one (shorter than the argv it overwrites, so never cut).
    process.title = `function-host/worker ${assigned.functionName} ${assigned.functionVersion}`;
    // The deployment's runtime variables, before its code runs (the host leaves out the platform's own names).
    Object.assign(process.env, assigned.env);
    // Init phase: import the handler module now, and tell the host whether it is ready for events.
    loadHandler().then(
      () => reply({ ready: true }),
      (error: unknown) => reply({ initError: describe(error) }),
    );
    return;
  }
  const cancel = parseCancelRequest(raw);
  if (cancel) {
    // Closed, not failed: the handler sees 'close' (and a pipeline into it a premature close).
    streams.get(cancel.id)?.destroy();
    return;
  }
  const flow = parseFlowRequest(raw);
  if (flow) {
    streams.get(flow.id)?.setPaused(flow.flow === 'pause');
    return;
  }
  const request = parseInvokeRequest(raw);
  if (!request) {
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id === 'number') reply({ id, error: { name: 'Runtime.InvalidRequest', message: 'malformed invocation message' } });
    return;
  }
  void (async () => {
    try {
      const handler = await loadHandler();
      if (isStreamingHandler(handler)) {
        await invokeStreaming(handler as unknown as StreamingHandler, request);
        return;
      }
      const value = await handler(request.event, lambdaContext(request.timeoutMs));
      // Round-trip through JSON so only what survives the channel is sent (and failures show here).
      const result: unknown = JSON.parse(JSON.stringify(normalizeResult(value)));
      reply({ id: request.id, result } as InvokeResponse);
    } catch (error) {
      reply({ id: request.id, error: describe(error) });
    }
  })();
}

// The host is gone: nothing can reach this worker any more.
process.on('disconnect', () => process.exit(0));
